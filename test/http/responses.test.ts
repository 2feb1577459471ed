import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { type HttpAnswer, type HttpRequest, send } from "../support/http.js";
import { appDefaults, createRoutes, ORG_HEADER } from "../support/routes.js";

/** What a case expects: a failure (error, message, challenge...) or a success (the `auth` summary). */
type Expected =
	| {
			readonly status: 400 | 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			/** The exact `WWW-Authenticate`, or `null` for none. */
			readonly challenge: string | null;
			/** The exact `Retry-After`, a pattern, or `null` for none. */
			readonly retryAfter?: string | RegExp | null;
	  }
	| { readonly status: 200; readonly auth: Record<string, unknown> | null };

interface Case {
	readonly name: string;
	/** Builds the request once; every adapter gets the same one (the same tokens). */
	readonly request: (fx: Fixture) => Promise<HttpRequest> | HttpRequest;
	readonly expected: Expected;
}

const BARE = 'Bearer realm="api"';
const challenge = (error: string, message: string, scope?: string) =>
	`Bearer realm="api", error="${error}", error_description="${message}"${scope === undefined ? "" : `, scope="${scope}"`}`;
const invalidToken = (message: string): Expected => ({
	status: 401,
	error: "invalid_token",
	message,
	challenge: challenge("invalid_token", message),
});
const invalidRequest = (message: string): Expected => ({
	status: 400,
	error: "invalid_request",
	message,
	challenge: challenge("invalid_request", message),
});
const insufficientScope = (scope: string): Expected => ({
	status: 403,
	error: "insufficient_scope",
	message: "Insufficient permissions for the requested operation",
	challenge: challenge("insufficient_scope", "Insufficient permissions for the requested operation", scope),
});
const noCredentials: Expected = {
	status: 401,
	error: "invalid_token",
	message: "Missing bearer token",
	challenge: BARE,
};
const ok = (auth: Record<string, unknown> | null): Expected => ({ status: 200, auth });

const get = (path: string, headers?: HttpRequest["headers"]): HttpRequest => ({
	method: "GET",
	path,
	headers,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A JWT with `alg: none` and otherwise valid claims. */
function unsigned(iss: string, aud: string, signature: string): string {
	const now = Math.floor(Date.now() / 1000);
	const claims = { iss, aud, sub: "user_123", iat: now, exp: now + 600 };
	return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.${signature}`;
}

const cases: readonly Case[] = [
	// The SPEC's responses table, row by row.
	{ name: "no credentials", request: () => get("/v1/products"), expected: noCredentials },
	{
		name: "another scheme (Basic) counts as no credentials",
		request: () => get("/v1/products", { authorization: "Basic dXNlcjpwYXNz" }),
		expected: noCredentials,
	},
	{
		name: "malformed Bearer value: two words",
		request: () => get("/v1/products", { authorization: "Bearer abc def" }),
		expected: invalidRequest("Malformed Authorization header"),
	},
	{
		name: "malformed Bearer value: the scheme alone",
		request: () => get("/v1/products", { authorization: "Bearer" }),
		expected: invalidRequest("Malformed Authorization header"),
	},
	{
		name: "malformed Bearer value: characters outside token68",
		request: () => get("/v1/products", { authorization: "Bearer {not-a-token}" }),
		expected: invalidRequest("Malformed Authorization header"),
	},
	{
		name: "two Authorization headers",
		request: async ({ main }) => {
			const token = await main.sign();
			return get("/v1/products", { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		},
		expected: invalidRequest("Duplicate Authorization header"),
	},
	{
		name: "token sent by more than one method (header and query)",
		request: async ({ main }) => {
			const token = await main.sign();
			return get(`/v1/query?access_token=${token}`, bearer(token));
		},
		expected: invalidRequest("Token sent by more than one method"),
	},
	{
		name: "expired",
		request: async ({ main }) => get("/v1/products", bearer(await main.sign({}, { expiresIn: -60 }))),
		expected: invalidToken("Token has expired"),
	},
	{
		name: "bad signature (another token's signature)",
		request: async ({ main }) => {
			const [a, b] = await Promise.all([
				main.sign({ permissions: ["read"] }),
				main.sign({ permissions: ["admin"] }),
			]);
			const [header, payload] = a.split(".");
			return get("/v1/products", bearer(`${header}.${payload}.${b.split(".")[2]}`));
		},
		expected: invalidToken("Invalid token signature"),
	},
	{
		name: "signed by a key the issuer does not publish (unknown kid)",
		request: async ({ main, other }) => get("/v1/products", bearer(await other.sign({ iss: main.issuer }))),
		expected: invalidToken("Token signing key is unknown"),
	},
	{
		name: "malformed JWT (three segments, not JSON)",
		request: () => get("/v1/products", bearer("abc.def.ghi")),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "malformed JWT (no segments)",
		request: () => get("/v1/products", bearer("not-a-jwt")),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "wrong issuer",
		request: async ({ main }) =>
			get("/v1/products", bearer(await main.sign({ iss: "https://evil.example" }))),
		expected: invalidToken("Unexpected token issuer"),
	},
	{
		name: "wrong audience",
		request: async ({ main }) =>
			get("/v1/products", bearer(await main.sign({ aud: "https://other.example" }))),
		expected: invalidToken("Unexpected token audience"),
	},
	{
		name: "nbf in the future",
		request: async ({ main }) => get("/v1/products", bearer(await main.sign({}, { notBefore: 3600 }))),
		expected: invalidToken("Token is not yet valid"),
	},
	{
		name: "no exp",
		request: async ({ main }) => get("/v1/products", bearer(await main.sign({}, { expiresIn: false }))),
		expected: invalidToken("Token has no expiry"),
	},
	{
		name: "too long (8193 characters)",
		request: () => get("/v1/products", bearer("a".repeat(8193))),
		expected: invalidToken("Token is too long"),
	},
	{
		name: "8192 characters is not too long (then malformed)",
		request: () => get("/v1/products", bearer("a".repeat(8192))),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "alg none, unsigned (empty signature segment)",
		request: ({ main }) => get("/v1/products", bearer(unsigned(main.issuer, main.audience, ""))),
		expected: invalidToken("Token algorithm is not allowed"),
	},
	{
		name: "alg none with a signature segment",
		request: ({ main }) => get("/v1/products", bearer(unsigned(main.issuer, main.audience, "c2lnbmF0dXJl"))),
		expected: invalidToken("Token algorithm is not allowed"),
	},
	{
		name: "HS256 token where only JWKS keys are trusted",
		request: async ({ main }) => get("/v1/products", bearer(await main.sign({}, { alg: "HS256" }))),
		expected: invalidToken("Token algorithm is not allowed"),
	},
	{
		name: "missing permission: 403 names it in scope",
		request: async ({ main }) => ({
			method: "POST",
			path: "/v1/products",
			headers: bearer(await main.sign({ permissions: ["read"] })),
		}),
		expected: insufficientScope("write"),
	},
	{
		name: "anyPermission: scope lists every alternative",
		request: async ({ main }) => get("/v1/any", bearer(await main.sign({ permissions: ["read"] }))),
		expected: insufficientScope("write admin"),
	},
	{
		name: "organization missing",
		request: async ({ main }) => get("/v1/org", bearer(await main.sign())),
		expected: invalidRequest("Missing or invalid organization ID"),
	},
	{
		name: "organization invalid",
		request: async ({ main }) => get("/v1/org", bearer(await main.sign({ org_id: "acme" }))),
		expected: invalidRequest("Missing or invalid organization ID"),
	},
	{
		name: "organization differs from the request header",
		request: async ({ main }) =>
			get("/v1/org", { ...bearer(await main.sign({ org_id: "org_acme" })), [ORG_HEADER]: "org_other" }),
		expected: invalidRequest("Missing or invalid organization ID"),
	},
	{
		name: "organization header absent: the token's organization stands",
		request: async ({ main }) => get("/v1/org", bearer(await main.sign({ org_id: "org_acme" }))),
		expected: ok({ subject: "user_123", organization: "org_acme", permissions: [] }),
	},
	{
		name: "organization header equal",
		request: async ({ main }) =>
			get("/v1/org", { ...bearer(await main.sign({ org_id: "org_acme" })), [ORG_HEADER]: "org_acme" }),
		expected: ok({ subject: "user_123", organization: "org_acme" }),
	},
	{
		name: "order: claims (401) before organization (400)",
		request: async ({ main }) => get("/v1/org", bearer(await main.sign({}, { expiresIn: -60 }))),
		expected: invalidToken("Token has expired"),
	},
	{
		name: "order: organization (400) before permissions (403)",
		request: async ({ main }) => ({
			method: "POST",
			path: "/v1/org",
			headers: bearer(await main.sign({ permissions: ["read"] })),
		}),
		expected: invalidRequest("Missing or invalid organization ID"),
	},
	{
		name: "identity provider down before the first request: 503, Retry-After, no challenge",
		request: ({ down }) => get("/v1/down", bearer(down.token)),
		expected: {
			status: 503,
			error: "temporarily_unavailable",
			message: "Signing keys are temporarily unavailable",
			challenge: null,
			retryAfter: /^[1-9][0-9]*$/,
		},
	},

	// Success and the `auth` it sets.
	{
		name: "valid token: auth is set",
		request: async ({ main }) =>
			get("/v1/products", bearer(await main.sign({ permissions: ["read", "write"] }))),
		expected: ok({
			subject: "user_123",
			organization: null,
			permissions: ["read", "write"],
			hasExpiry: true,
		}),
	},
	{
		name: "scheme in any case",
		request: async ({ main }) => get("/v1/products", { authorization: `bEaReR ${await main.sign()}` }),
		expected: ok({ subject: "user_123" }),
	},
	{
		name: "permissions from a scope string",
		request: async ({ main }) => ({
			method: "POST",
			path: "/v1/products",
			headers: bearer(await main.sign({ scope: "read write" })),
		}),
		expected: ok({ permissions: ["read", "write"] }),
	},
	{
		name: "token in the query when allowed",
		request: async ({ main }) => get(`/v1/query?access_token=${await main.sign()}`),
		expected: ok({ subject: "user_123" }),
	},

	// Guards.
	{
		name: "permissions (all of): one missing is a 403 naming all",
		request: async ({ main }) => get("/v1/all", bearer(await main.sign({ permissions: ["read"] }))),
		expected: insufficientScope("read write"),
	},
	{
		name: "permissions (all of): all present",
		request: async ({ main }) => get("/v1/all", bearer(await main.sign({ permissions: ["read", "write"] }))),
		expected: ok({ permissions: ["read", "write"] }),
	},
	{
		name: "anyPermission: one present",
		request: async ({ main }) => get("/v1/any", bearer(await main.sign({ permissions: ["admin"] }))),
		expected: ok({ permissions: ["admin"] }),
	},
	{
		name: "requirePermissions after requireAuth: missing",
		request: async ({ main }) => ({
			method: "DELETE",
			path: "/v1/products",
			headers: bearer(await main.sign({ permissions: ["read"] })),
		}),
		expected: insufficientScope("delete"),
	},
	{
		name: "requirePermissions after requireAuth: present",
		request: async ({ main }) => ({
			method: "DELETE",
			path: "/v1/products",
			headers: bearer(await main.sign({ permissions: ["delete"] })),
		}),
		expected: ok({ permissions: ["delete"] }),
	},
	{
		name: "requirePermissions after requireAuth: no token",
		request: () => ({ method: "DELETE", path: "/v1/products" }),
		expected: noCredentials,
	},
	{ name: "optional without a token: auth null", request: () => get("/v1/optional"), expected: ok(null) },
	{
		name: "optional with another scheme: auth null",
		request: () => get("/v1/optional", { authorization: "Basic dXNlcjpwYXNz" }),
		expected: ok(null),
	},
	{
		name: "optional with a bad token: still 401",
		request: async ({ main }) => get("/v1/optional", bearer(await main.sign({}, { expiresIn: -60 }))),
		expected: invalidToken("Token has expired"),
	},
	{
		name: "optional with a valid token: auth set",
		request: async ({ main }) => get("/v1/optional", bearer(await main.sign())),
		expected: ok({ subject: "user_123" }),
	},

	// Configuration from the environment (BEARERGUARD_*), scoped to the route's requireAuth().
	{
		name: "env ISSUER + AUDIENCE (discovery), permissions in code: allowed",
		request: async ({ main }) =>
			get("/v1/env/discovery", bearer(await main.sign({ permissions: ["write"] }))),
		expected: ok({ permissions: ["write"] }),
	},
	{
		name: "env ISSUER + AUDIENCE (discovery), permissions in code: missing",
		request: async ({ main }) => get("/v1/env/discovery", bearer(await main.sign({ permissions: ["read"] }))),
		expected: insufficientScope("write"),
	},
	{
		name: "env JWKS_URI (issuer without discovery)",
		request: async ({ jwksOnly }) => get("/v1/env/jwks", bearer(await jwksOnly.sign())),
		expected: ok({ subject: "user_123" }),
	},
	{
		name: "env SECRET: HS256 token",
		request: async ({ hs }) => get("/v1/env/secret", bearer(await hs.sign())),
		expected: ok({ subject: "user_123" }),
	},
	{
		name: "env SECRET: an RS256 token is refused",
		request: async ({ hs, main }) => get("/v1/env/secret", bearer(await main.sign({ iss: hs.issuer }))),
		expected: invalidToken("Token algorithm is not allowed"),
	},
];

let fx: Fixture;
let apps: TestApp[];
const requests = new Map<Case, HttpRequest>();

beforeAll(async () => {
	fx = await startFixture();
	apps = await startApps(appDefaults(fx), createRoutes(fx));
	for (const c of cases) requests.set(c, await c.request(fx));
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await fx?.close();
});

function app(name: AdapterName): TestApp {
	const found = apps.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no ${name} app`);
	return found;
}

function check(answer: HttpAnswer, expected: Expected): void {
	expect(answer.status).toBe(expected.status);
	if (expected.status === 200) {
		expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
		const body = JSON.parse(answer.body) as { auth: Record<string, unknown> | null };
		if (expected.auth === null) expect(body).toEqual({ auth: null });
		else expect(body.auth).toMatchObject(expected.auth);
		return;
	}
	expect(answer.headers["content-type"]).toBe("application/json");
	expect(answer.headers["cache-control"]).toBe("no-store");
	expect(answer.headers["www-authenticate"]).toBe(expected.challenge ?? undefined);
	const retryAfter = expected.retryAfter ?? null;
	if (retryAfter === null) expect(answer.headers["retry-after"]).toBeUndefined();
	else if (typeof retryAfter === "string") expect(answer.headers["retry-after"]).toBe(retryAfter);
	else expect(answer.headers["retry-after"]).toMatch(retryAfter);
	expect(answer.body).toBe(JSON.stringify({ error: expected.error, message: expected.message }));
	expect(JSON.parse(answer.body)).toEqual({ error: expected.error, message: expected.message });
}

/**
 * `Retry-After` counts down the seconds until the next fetch may run, so answers a few milliseconds
 * apart may straddle a second: every value is a positive integer, all within one second of each other,
 * and everything else is compared byte for byte.
 */
function withoutRetryAfter(answers: readonly HttpAnswer[]): HttpAnswer[] {
	const values = answers.map((answer) => answer.headers["retry-after"]);
	if (values.every((value) => value === undefined)) return [...answers];
	const seconds = values.map(Number);
	for (const value of seconds) expect(Number.isInteger(value) && value > 0).toBe(true);
	expect(Math.max(...seconds) - Math.min(...seconds)).toBeLessThanOrEqual(1);
	return answers.map((answer) => ({ ...answer, headers: { ...answer.headers, "retry-after": "n" } }));
}

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s", async (name) => {
		check(await send(app(name), requests.get(c)!), c.expected);
	});

	it("is byte for byte the same in every adapter", async () => {
		const answers = await Promise.all(apps.map((each) => send(each, requests.get(c)!)));
		const [first, ...rest] = withoutRetryAfter(answers);
		for (const answer of rest) expect(answer).toEqual(first);
	});
});

describe("environment scoping", () => {
	it("leaves no BEARERGUARD_* variable behind once the apps are built", () => {
		expect(Object.keys(process.env).filter((name) => name.startsWith("BEARERGUARD_"))).toEqual([]);
	});

	it("fetches the JWKS_URI issuer's keys without its discovery documents", () => {
		expect(fx.jwksOnly.requests.discovery).toBe(0);
		expect(fx.jwksOnly.requests.jwks).toBeGreaterThan(0);
	});
});
