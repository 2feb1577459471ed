/**
 * `pnpm check:readme`: type-checks every ```ts block of README.md and packages/*\/README.md against
 * the built packages, so the manuals cannot drift from the code. Exits 1 on any error, printing each
 * with its Markdown line; `--verbose` lists every block.
 *
 * Directives (`<!-- readme-check: ... -->` before a block) are described in `blocks.ts`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CodeBlock, extractBlocks, isTypeScript } from "./blocks.js";
import { typecheckBlocks, workspaceRoot } from "./typecheck.js";

/** The manuals whose blocks are checked, relative to the workspace root. */
export function manuals(root: string): string[] {
	const packages = readdirSync(join(root, "packages"), { withFileTypes: true })
		.filter((entry) => entry.isDirectory() && existsSync(join(root, "packages", entry.name, "README.md")))
		.map((entry) => `packages/${entry.name}/README.md`)
		.sort();
	return ["README.md", ...packages];
}

/** Every code block of the manuals. */
export function manualBlocks(root: string): CodeBlock[] {
	return manuals(root).flatMap((path) => extractBlocks(readFileSync(join(root, path), "utf8"), path));
}

function missingBuilds(root: string): string[] {
	return readdirSync(join(root, "packages"), { withFileTypes: true })
		.filter((entry) => entry.isDirectory() && existsSync(join(root, "packages", entry.name, "package.json")))
		.filter((entry) => !existsSync(join(root, "packages", entry.name, "dist", "index.d.ts")))
		.map((entry) => entry.name);
}

function main(): number {
	const root = workspaceRoot(fileURLToPath(new URL(".", import.meta.url)));
	const verbose = process.argv.includes("--verbose");
	const missing = missingBuilds(root);
	if (missing.length > 0) {
		console.log(`readme-check: packages not built (${missing.join(", ")}): run pnpm build first.`);
		return 1;
	}
	const started = performance.now();
	const blocks = manualBlocks(root).filter(isTypeScript);
	const skipped = blocks.filter((block) => block.directive.skip !== undefined);
	const results = typecheckBlocks(
		root,
		blocks.filter((block) => block.directive.skip === undefined),
	);
	let failures = 0;
	let expected = 0;
	for (const { block, errors } of results) {
		const at = `${block.path}:${block.line}`;
		if (block.directive.fails !== undefined) {
			if (errors.length === 0) {
				failures++;
				console.log(`${at}: compiles now: remove "fails (${block.directive.fails})" from its readme-check.`);
			} else {
				expected++;
				console.log(`${at}: fails as expected until: ${block.directive.fails}`);
				if (verbose) for (const error of errors) console.log(`  ${error.where}: ${error.message}`);
			}
			continue;
		}
		failures += errors.length;
		for (const error of errors) console.log(`${error.where}: ${error.message}`);
		if (verbose && errors.length === 0) console.log(`${at}: ok`);
	}
	for (const block of skipped) {
		if (verbose) console.log(`${block.path}:${block.line}: skipped (${block.directive.skip})`);
	}
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	const files = new Set(blocks.map((block) => block.path)).size;
	console.log(
		`readme-check: ${failures > 0 ? `${failures} error(s) in` : "every one of"} ${results.length - expected} TypeScript blocks of ${files} manuals${failures > 0 ? "" : " compiles"}` +
			(expected > 0 ? `; ${expected} expected to fail` : "") +
			(skipped.length > 0 ? `; ${skipped.length} skipped` : "") +
			` (${seconds} s)`,
	);
	return failures > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
