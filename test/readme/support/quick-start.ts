/**
 * The README's Quick start blocks, made runnable: the issuer and audience literals replaced, the server
 * put on loopback at a free port, and `server`/`close` exported. Shared by the in-workspace test
 * (`test/readme/quick-start.test.ts`) and the installed-tarball test (`test/packaging/install.test.ts`),
 * with the answers each Quick start must give.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CodeBlock, extractBlocks, isTypeScript } from "../../../scripts/readme/blocks.js";

/** The frameworks with a Quick start. */
export const FRAMEWORKS = ["express", "koa", "fastify"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The workspace root. */
export const ROOT = join(import.meta.dirname, "..", "..", "..");

const HEADINGS: Record<Framework, string> = {
	express: "Express (4 or 5)",
	koa: "Koa (2 or 3)",
	fastify: "Fastify (5)",
};

/** The literals the README's Quick starts use, which a test replaces with its issuer's. */
export const README_ISSUER = "'https://auth.example.com/'";
export const README_AUDIENCE = "'https://api.example.com'";

/** The README's Quick start block for `framework`. */
export function quickStartBlock(framework: Framework): CodeBlock {
	const blocks = readmeBlocksUnder("Quick start").filter(
		(block) => block.headings.at(-1) === HEADINGS[framework],
	);
	if (blocks.length !== 1)
		throw new Error(`README.md: expected one ts block under "Quick start > ${HEADINGS[framework]}".`);
	return blocks[0] as CodeBlock;
}

function replaceOnce(code: string, search: string, replacement: string, where: string): string {
	const count = code.split(search).length - 1;
	if (count !== 1)
		throw new Error(
			`${where}: expected "${search}" once, found it ${count} times; update test/readme/support/quick-start.ts.`,
		);
	return code.replace(search, () => replacement);
}

const EPILOGUES: Record<Framework, { listen: string; runnable: string }> = {
	express: {
		listen: "app.listen(3000)",
		runnable: `export const server = app.listen(0, '127.0.0.1')
export async function close(): Promise<void> {
  server.closeAllConnections()
  await new Promise((done) => server.close(done))
}`,
	},
	koa: {
		listen: "app.listen(3000)",
		runnable: `export const server = app.listen(0, '127.0.0.1')
export async function close(): Promise<void> {
  server.closeAllConnections()
  await new Promise((done) => server.close(done))
}`,
	},
	fastify: {
		listen: "await app.listen({ port: 3000 })",
		runnable: `await app.listen({ port: 0, host: '127.0.0.1' })
export const server = app.server
export async function close(): Promise<void> {
  await app.close()
}`,
	},
};

/**
 * A README block that builds a `framework` app and ends in `app.listen(3000)` (Fastify:
 * `await app.listen({ port: 3000 })`), as a TypeScript module exporting `server` (a `node:http` server on
 * 127.0.0.1, listening or about to) and `close()`. Each `[search, replacement]` must occur once in the
 * block; `replacement` is TypeScript put in its place (e.g. the test issuer's URL, quoted).
 *
 * @example
 * ```ts
 * const source = runnableBlock(block, "koa", [[README_ISSUER, JSON.stringify(issuer.issuer)]])
 * ```
 */
export function runnableBlock(
	block: CodeBlock,
	framework: Framework,
	replacements: readonly (readonly [string, string])[],
): string {
	const where = `${block.path}:${block.line}`;
	let code = block.code;
	for (const [search, replacement] of replacements) code = replaceOnce(code, search, replacement, where);
	return replaceOnce(code, EPILOGUES[framework].listen, EPILOGUES[framework].runnable, where);
}

/**
 * The README's Quick start for `framework` as a module (see {@link runnableBlock}), with `issuer` and
 * `audience` (TypeScript expressions) in place of the README's literals.
 *
 * @example
 * ```ts
 * const source = runnableQuickStart("koa", { issuer: JSON.stringify(issuer.issuer), audience: JSON.stringify(issuer.audience) })
 * ```
 */
export function runnableQuickStart(
	framework: Framework,
	values: { issuer: string; audience: string },
): string {
	return runnableBlock(quickStartBlock(framework), framework, [
		[README_ISSUER, values.issuer],
		[README_AUDIENCE, values.audience],
	]);
}

/** The ts blocks of README.md under a heading, in order. */
export function readmeBlocksUnder(heading: string): CodeBlock[] {
	return extractBlocks(readFileSync(join(ROOT, "README.md"), "utf8"), "README.md").filter(
		(block) => isTypeScript(block) && block.headings.includes(heading),
	);
}

/** Which token a case sends: one with `permissions`, or none at all. */
export type CaseToken = { readonly permissions: readonly string[] } | "none";

/** One request to a running Quick start and the exact answer the README documents for it. */
export interface QuickStartCase {
	readonly name: string;
	readonly method: "GET" | "POST" | "DELETE";
	readonly path: string;
	readonly token: CaseToken;
	readonly status: number;
	readonly contentType: string | null;
	readonly wwwAuthenticate: string | null;
	readonly body: string;
}

/** The test issuer's default `sub`. */
const SUBJECT = "user_123";
const JSON_OK = "application/json; charset=utf-8";
const MISSING = {
	status: 401,
	contentType: "application/json",
	wwwAuthenticate: 'Bearer realm="api"',
	body: '{"error":"invalid_token","message":"Missing bearer token"}',
} as const;

function insufficient(scope: string) {
	return {
		status: 403,
		contentType: "application/json",
		wwwAuthenticate: `Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="${scope}"`,
		body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
	} as const;
}

/** What each Quick start answers: a valid token, a token without the permission, and no token. */
export const QUICK_START_CASES: Record<Framework, readonly QuickStartCase[]> = {
	express: [
		{
			name: "GET with read",
			method: "GET",
			path: "/v1/products",
			token: { permissions: ["read"] },
			status: 200,
			contentType: JSON_OK,
			wwwAuthenticate: null,
			body: JSON.stringify({ for: SUBJECT }),
		},
		{
			name: "POST with write",
			method: "POST",
			path: "/v1/products",
			token: { permissions: ["write"] },
			status: 201,
			contentType: JSON_OK,
			wwwAuthenticate: null,
			body: JSON.stringify({ createdBy: SUBJECT }),
		},
		{
			name: "POST with read only",
			method: "POST",
			path: "/v1/products",
			token: { permissions: ["read"] },
			...insufficient("write"),
		},
		{
			name: "DELETE with read only",
			method: "DELETE",
			path: "/v1/products/p_1",
			token: { permissions: ["read"] },
			...insufficient("delete"),
		},
		{ name: "POST without a token", method: "POST", path: "/v1/products", token: "none", ...MISSING },
	],
	koa: [
		{
			name: "GET with read",
			method: "GET",
			path: "/",
			token: { permissions: ["read"] },
			status: 200,
			contentType: JSON_OK,
			wwwAuthenticate: null,
			body: JSON.stringify({ subject: SUBJECT }),
		},
		{
			name: "GET with write only",
			method: "GET",
			path: "/",
			token: { permissions: ["write"] },
			...insufficient("read"),
		},
		{ name: "GET without a token", method: "GET", path: "/", token: "none", ...MISSING },
	],
	fastify: [
		{
			name: "POST with write",
			method: "POST",
			path: "/v1/products",
			token: { permissions: ["write"] },
			status: 200,
			contentType: JSON_OK,
			wwwAuthenticate: null,
			body: JSON.stringify({ createdBy: SUBJECT }),
		},
		{
			name: "POST with read only",
			method: "POST",
			path: "/v1/products",
			token: { permissions: ["read"] },
			...insufficient("write"),
		},
		{ name: "POST without a token", method: "POST", path: "/v1/products", token: "none", ...MISSING },
	],
};

/** The answer of one request, as the cases pin it down. */
export interface Answer {
	readonly status: number;
	readonly contentType: string | null;
	readonly wwwAuthenticate: string | null;
	readonly body: string;
}

/**
 * Sends `testCase` to `url` with `token` (or none) and returns what the cases compare.
 *
 * @example
 * ```ts
 * expect(await send(url, testCase, token)).toEqual(expected(testCase))
 * ```
 */
export async function send(
	url: string,
	testCase: QuickStartCase,
	token: string | undefined,
): Promise<Answer> {
	const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
	const response = await fetch(new URL(testCase.path, url), { method: testCase.method, headers });
	return {
		status: response.status,
		contentType: response.headers.get("content-type"),
		wwwAuthenticate: response.headers.get("www-authenticate"),
		body: await response.text(),
	};
}

/** The answer `testCase` expects. */
export function expected(testCase: QuickStartCase): Answer {
	const { status, contentType, wwwAuthenticate, body } = testCase;
	return { status, contentType, wwwAuthenticate, body };
}
