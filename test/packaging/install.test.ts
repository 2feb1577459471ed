/**
 * What a new user gets: every package packed with pnpm (as `pnpm publish` packs it), installed with npm
 * into a fresh project outside the workspace (in `os.tmpdir()`), beside express, koa and fastify from
 * the registry. Each framework's README Quick start, compiled to plain ESM, then runs there against
 * `createTestIssuer` from the installed `@bearerguard/testing` and must answer exactly as documented.
 *
 * Slow (one `npm install`, about 20 to 60 s), so it runs once per suite, in `beforeAll`.
 */
import { type ChildProcessByStdio, execFile, spawn } from "node:child_process";
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestProblems, type PackedPackage, packAll, REQUIRED_FILES } from "../../scripts/pack.js";
import {
	expected,
	FRAMEWORKS,
	type Framework,
	QUICK_START_CASES,
	ROOT,
	runnableQuickStart,
	send,
} from "../readme/support/quick-start.js";

const run = promisify(execFile);
const INSTALL_TIMEOUT = 600_000;

let project: string;
let packed: PackedPackage[];
let installSeconds = 0;

/**
 * The environment for npm and the apps: this process's, less what pnpm set for its scripts (npm warns
 * about settings it does not know; registry, cache, proxy and certificate settings stay), vitest's own
 * variables and NODE_OPTIONS (a user's shell has neither), and BEARERGUARD_*.
 */
function cleanEnv(): NodeJS.ProcessEnv {
	const keep =
		/^npm_config_(registry|cache|userconfig|globalconfig|https?_proxy|proxy|noproxy|no_proxy|cafile|ca|strict_ssl)$/i;
	return Object.fromEntries(
		Object.entries(process.env).filter(
			([name]) =>
				!(/^(npm_|pnpm_)/i.test(name) && !keep.test(name)) &&
				!/^(BEARERGUARD_|VITEST|NODE_OPTIONS$)/.test(name),
		),
	);
}

/** The Quick start of `framework` as a plain ES module, configured from BEARERGUARD_* (set by serve.mjs). */
function quickStartModule(framework: Framework): string {
	const source = runnableQuickStart(framework, {
		issuer: "process.env.BEARERGUARD_ISSUER",
		audience: "process.env.BEARERGUARD_AUDIENCE",
	});
	return ts.transpileModule(source, {
		compilerOptions: {
			module: ts.ModuleKind.ESNext,
			target: ts.ScriptTarget.ES2022,
			verbatimModuleSyntax: true,
		},
	}).outputText;
}

/**
 * serve.mjs FRAMEWORK PERMISSIONS_JSON: starts an issuer from the installed @bearerguard/testing, sets
 * BEARERGUARD_ISSUER/AUDIENCE, imports the Quick start, prints `{ url, tokens }` (a token per permission
 * list, in order) on one line, and stops when its stdin closes.
 */
const SERVE = `import { createTestIssuer } from '@bearerguard/testing'

const [framework, permissions] = process.argv.slice(2)
const issuer = await createTestIssuer()
process.env.BEARERGUARD_ISSUER = issuer.issuer
process.env.BEARERGUARD_AUDIENCE = issuer.audience
const app = await import('./quick-start-' + framework + '.mjs')
if (!app.server.listening) await new Promise((listening) => app.server.once('listening', listening))
const tokens = await Promise.all(JSON.parse(permissions).map((list) => issuer.sign({ permissions: list })))
console.log(JSON.stringify({ url: 'http://127.0.0.1:' + app.server.address().port, tokens }))
process.stdin.resume()
process.stdin.on('end', async () => {
  await app.close()
  await issuer.close()
})
`;

beforeAll(async () => {
	const missing = ["core", "express", "koa", "fastify", "testing"].filter(
		(name) => !existsSync(join(ROOT, "packages", name, "dist", "index.js")),
	);
	if (missing.length > 0)
		throw new Error(`packages not built (${missing.join(", ")}): run pnpm build first.`);
	project = mkdtempSync(join(tmpdir(), "bearerguard-install-"));
	packed = await packAll(ROOT, join(project, "tarballs"));
	writeFileSync(
		join(project, "package.json"),
		`${JSON.stringify({ name: "bearerguard-install-check", private: true, type: "module" }, null, 2)}\n`,
	);
	const tarballs = packed.map((pkg) => `./${relative(project, pkg.tarball)}`);
	const started = performance.now();
	await run(
		"npm",
		[
			"install",
			"--no-audit",
			"--no-fund",
			"--loglevel=error",
			...tarballs,
			"express@5",
			"koa@3",
			"fastify@5",
		],
		{ cwd: project, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
	);
	installSeconds = (performance.now() - started) / 1000;
	for (const framework of FRAMEWORKS) {
		writeFileSync(join(project, `quick-start-${framework}.mjs`), quickStartModule(framework));
	}
	writeFileSync(join(project, "serve.mjs"), SERVE);
}, INSTALL_TIMEOUT);

afterAll(() => {
	if (project) rmSync(project, { recursive: true, force: true });
});

describe("packed with pnpm", () => {
	it("every tarball holds dist, src, README.md and LICENSE, and no workspace: specifier", () => {
		// Every package of the workspace, none forgotten: the list is read from packages/.
		const workspace = readdirSync(join(ROOT, "packages"))
			.filter((dir) => existsSync(join(ROOT, "packages", dir, "package.json")))
			.map(
				(dir) =>
					(JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as { name: string })
						.name,
			)
			.sort();
		expect(workspace).toContain("@bearerguard/core");
		expect(packed.map((pkg) => pkg.name).sort()).toEqual(workspace);
		for (const pkg of packed) {
			expect({ name: pkg.name, problems: manifestProblems(pkg) }).toEqual({ name: pkg.name, problems: [] });
			for (const file of [...REQUIRED_FILES, "src/index.ts"]) expect(pkg.files).toContain(file);
			expect(
				pkg.files.filter((file) => !/^(dist|src)\/|^(package\.json|README\.md|LICENSE)$/.test(file)),
			).toEqual([]);
		}
	});

	it("the adapters depend on @bearerguard/core by version", () => {
		for (const name of ["@bearerguard/express", "@bearerguard/koa", "@bearerguard/fastify"]) {
			const pkg = packed.find((item) => item.name === name);
			const dependencies = pkg?.manifest.dependencies as Record<string, string> | undefined;
			expect({ name, core: dependencies?.["@bearerguard/core"] }).toEqual({ name, core: `^${pkg?.version}` });
		}
	});
});

describe("installed with npm outside the workspace", () => {
	it("installs the tarballs themselves, with their README and LICENSE", () => {
		const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
			packages: Record<string, { resolved?: string; version?: string }>;
		};
		for (const pkg of packed) {
			const entry = lock.packages[`node_modules/${pkg.name}`];
			expect({ name: pkg.name, resolved: entry?.resolved }).toEqual({
				name: pkg.name,
				resolved: `file:${relative(project, pkg.tarball)}`,
			});
			const dir = join(project, "node_modules", pkg.name);
			expect(readFileSync(join(dir, "LICENSE"), "utf8")).toContain("MIT License");
			expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(new RegExp(`^# ${pkg.name}\\n`));
		}
		console.info(`npm install of the tarballs and express, koa, fastify: ${installSeconds.toFixed(1)} s`);
	});

	it.each(FRAMEWORKS)("the %s Quick start answers as documented", async (framework) => {
		const cases = QUICK_START_CASES[framework];
		const permissions = cases.map((item) => (item.token === "none" ? [] : item.token.permissions));
		const child = spawn("node", ["serve.mjs", framework, JSON.stringify(permissions)], {
			cwd: project,
			env: cleanEnv(),
			stdio: ["pipe", "pipe", "pipe"],
		});
		try {
			const { url, tokens } = await firstLine(child);
			for (const [index, testCase] of cases.entries()) {
				const token = testCase.token === "none" ? undefined : tokens[index];
				expect({ case: testCase.name, ...(await send(url, testCase, token)) }).toEqual({
					case: testCase.name,
					...expected(testCase),
				});
			}
		} finally {
			await stop(child);
		}
	});

	it("CommonJS code can require() the packages (Node >= 20.19 loads ES modules from require)", async () => {
		const script = `const { requireAuth, requirePermissions } = require('@bearerguard/express')
const koa = require('@bearerguard/koa')
const fastify = require('@bearerguard/fastify')
const { createVerifier } = require('@bearerguard/core')
const { createTestIssuer } = require('@bearerguard/testing')
console.log([requireAuth, requirePermissions, koa.requireAuth, fastify.default, createVerifier, createTestIssuer].map((f) => typeof f).join(' '))
`;
		mkdirSync(join(project, "cjs"), { recursive: true });
		writeFileSync(join(project, "cjs", "check.cjs"), script);
		const { stdout, stderr } = await run("node", [join("cjs", "check.cjs")], {
			cwd: project,
			env: cleanEnv(),
		});
		expect({ stdout, stderr }).toEqual({ stdout: `${Array(6).fill("function").join(" ")}\n`, stderr: "" });
	});
});

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/** The JSON line serve.mjs prints once it listens; rejects with its stderr if it exits first. */
function firstLine(child: Child): Promise<{ url: string; tokens: string[] }> {
	return new Promise((resolve, reject) => {
		let stderr = "";
		child.stderr.on("data", (chunk: Buffer) => {
			stderr += chunk.toString("utf8");
		});
		const lines = createInterface({ input: child.stdout });
		lines.once("line", (line) => resolve(JSON.parse(line) as { url: string; tokens: string[] }));
		child.once("exit", (code) =>
			reject(new Error(`serve.mjs exited (${code}) before listening:\n${stderr}`)),
		);
	});
}

/** Closes the child's stdin (it then closes its servers and exits); kills it if it lingers. */
async function stop(child: Child): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((done) => child.once("exit", done));
	child.stdin.end();
	const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
	await exited;
	clearTimeout(timer);
}
