/**
 * The README's "Testing your own routes" patterns, run for real: `src/app.ts` and each runner's test file
 * (and the Jest configuration) are copied from the README into a fresh `"type": "module"` project, and
 * each runner runs them as the README says, in a child process: vitest, `node --test` with tsx, and Jest
 * in ESM mode. Every run must pass its three tests. A CommonJS Jest setup must fail as the README says.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodeBlock, extractBlocks } from "../../scripts/readme/blocks.js";
import { ROOT } from "./support/quick-start.js";

const run = promisify(execFile);
const DIR = join(ROOT, "test", "readme", ".tmp", `patterns-${process.pid}`);
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const TIMEOUT = 180_000;

/** The README's `file=` blocks: every project gets the shared ones, and its own. */
function projectFiles(project: string): Map<string, string> {
	const files = new Map<string, string>();
	for (const block of extractBlocks(README, "README.md")) {
		const { file, project: owner } = block.directive;
		if (file !== undefined && (owner === undefined || owner === project)) files.set(file, block.code);
	}
	return files;
}

/** Writes a project folder: a `"type": "module"` package.json, the README's files, and `extra`. */
function writeProject(name: string, files: Map<string, string>, extra: Record<string, string> = {}): string {
	const dir = join(DIR, name);
	const all = new Map([
		[
			"package.json",
			`${JSON.stringify({ name: `pattern-${name}`, private: true, type: "module" }, null, 2)}\n`,
		],
		...files,
		...Object.entries(extra),
	]);
	for (const [path, text] of all) {
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), text);
	}
	return dir;
}

/** This process's environment without what would change a runner's behaviour or colour its output. */
function childEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
	for (const [name, value] of Object.entries(process.env)) {
		if (/^(BEARERGUARD_|VITEST|FORCE_COLOR$|NODE_OPTIONS$)/.test(name)) continue;
		if (env[name] === undefined) env[name] = value;
	}
	return env;
}

/** Runs `node ...args` in `cwd`; resolves with its exit code and combined output. */
async function node(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
	try {
		const { stdout, stderr } = await run(process.execPath, args, {
			cwd,
			env: childEnv(),
			maxBuffer: 16 * 1024 * 1024,
		});
		return { code: 0, output: `${stdout}\n${stderr}` };
	} catch (error) {
		const failed = error as { code?: number; stdout?: string; stderr?: string };
		return {
			code: typeof failed.code === "number" ? failed.code : 1,
			output: `${failed.stdout}\n${failed.stderr}`,
		};
	}
}

beforeAll(() => {
	mkdirSync(DIR, { recursive: true });
});

afterAll(() => {
	rmSync(DIR, { recursive: true, force: true });
});

describe("README: Testing your own routes", () => {
	it("names the files every pattern needs", () => {
		const blocks = extractBlocks(README, "README.md").filter((block) => block.directive.file !== undefined);
		const names = (project: string | undefined) =>
			blocks
				.filter((block: CodeBlock) => block.directive.project === project)
				.map((block) => block.directive.file)
				.sort();
		expect({
			shared: names(undefined),
			vitest: names("vitest"),
			nodeTest: names("node-test"),
			jest: names("jest"),
		}).toEqual({
			shared: ["src/app.ts"],
			vitest: ["test/products.test.ts"],
			nodeTest: ["test/products.test.ts"],
			jest: ["jest.config.js", "test/products.test.ts", "tsconfig.json"],
		});
	});

	it(
		"vitest: `npx vitest run` passes the README's test file",
		async () => {
			expect(README).toContain("npx vitest run\n");
			// An empty config stops vitest from finding the workspace's own config above this folder.
			const dir = writeProject("vitest", projectFiles("vitest"), {
				"vitest.config.mjs": "export default {}\n",
			});
			const { code, output } = await node(dir, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run"]);
			expect({ code, tests: /Tests\s+(.*)/.exec(output)?.[1]?.trim() }, output).toEqual({
				code: 0,
				tests: "3 passed (3)",
			});
		},
		TIMEOUT,
	);

	it(
		"node:test: `node --import tsx --test` passes the README's test file",
		async () => {
			expect(README).toContain("node --import tsx --test test/*.test.ts\n");
			const dir = writeProject("node-test", projectFiles("node-test"));
			const { code, output } = await node(dir, ["--import", "tsx", "--test", "test/products.test.ts"]);
			expect(
				{ code, pass: /^# pass (\d+)$/m.exec(output)?.[1], fail: /^# fail (\d+)$/m.exec(output)?.[1] },
				output,
			).toEqual({ code: 0, pass: "3", fail: "0" });
		},
		TIMEOUT,
	);

	it(
		"Jest: ESM mode with ts-jest passes the README's test file",
		async () => {
			expect(README).toContain("node --experimental-vm-modules node_modules/jest/bin/jest.js\n");
			const dir = writeProject("jest", projectFiles("jest"));
			const jest = join(ROOT, "test", "node_modules", "jest", "bin", "jest.js");
			const { code, output } = await node(dir, ["--experimental-vm-modules", jest]);
			expect({ code, tests: /^Tests:\s+(.*)$/m.exec(output)?.[1] }, output).toEqual({
				code: 0,
				tests: "3 passed, 3 total",
			});
		},
		TIMEOUT,
	);

	// Jest 30 loads ES modules from its CommonJS require on Node 24.9 and later; the README's claim is
	// about the Node versions before that.
	const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
	it.skipIf(major > 24 || (major === 24 && minor >= 9))(
		"Jest: a CommonJS setup fails to load the packages, with the error the README quotes",
		async () => {
			const files = projectFiles("jest");
			files.delete("jest.config.js");
			const dir = writeProject("jest-cjs", files, {
				"package.json": `${JSON.stringify({ name: "pattern-jest-cjs", private: true }, null, 2)}\n`,
				"jest.config.cjs": `module.exports = { preset: 'ts-jest', testEnvironment: 'node', moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' } }\n`,
				"tsconfig.json": `${JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node10", target: "ES2022", strict: true, esModuleInterop: true, isolatedModules: true, skipLibCheck: true, types: ["node"] } }, null, 2)}\n`,
			});
			const jest = join(ROOT, "test", "node_modules", "jest", "bin", "jest.js");
			const { code, output } = await node(dir, [jest]);
			expect(README).toContain("Must use import to load ES Module:");
			expect(
				{ code, loads: /Must use import to load ES Module: \S*\/testing\/dist\/index\.js/.test(output) },
				output,
			).toEqual({
				code: 1,
				loads: true,
			});
		},
		TIMEOUT,
	);
});
