/**
 * Packs every package of `packages/` with `pnpm pack` (which rewrites `workspace:^` to the version, as
 * `pnpm publish` does) and checks each tarball as it would be published: no `workspace:` left in its
 * package.json, the files a user needs (dist, README.md, LICENSE), publint --strict, and attw's ESM-only
 * profile. One line per package; details only on failure.
 *
 * node --import tsx scripts/pack.ts [--out DIR] [--no-lint]
 *   --out DIR    keep the tarballs in DIR (default: a temporary folder, removed afterwards)
 *   --no-lint    skip publint and attw (only pack and check the manifests and files)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);

/** A packed package: its tarball and what the tarball holds. */
export interface PackedPackage {
	/** The package's name, e.g. `@bearerguard/express`. */
	readonly name: string;
	readonly version: string;
	/** The package's folder in the workspace. */
	readonly dir: string;
	/** Absolute path of the `.tgz`. */
	readonly tarball: string;
	/** The packed package.json, parsed. */
	readonly manifest: Record<string, unknown>;
	/** Paths inside the tarball, without the leading `package/`. */
	readonly files: readonly string[];
}

/** Files every tarball must hold. */
export const REQUIRED_FILES = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"];

/** The entries of a `.tgz`: path and contents (ustar, as npm and pnpm write it). */
export function readTarball(path: string): Map<string, Buffer> {
	const tar = gunzipSync(readFileSync(path));
	const entries = new Map<string, Buffer>();
	let offset = 0;
	while (offset + 512 <= tar.length) {
		const header = tar.subarray(offset, offset + 512);
		if (header.every((byte) => byte === 0)) break;
		const text = (start: number, end: number) => header.toString("utf8", start, end).replace(/\0.*$/s, "");
		const size = Number.parseInt(text(124, 136).trim() || "0", 8);
		const prefix = text(345, 500);
		const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
		const type = text(156, 157);
		if (type === "0" || type === "") entries.set(name, tar.subarray(offset + 512, offset + 512 + size));
		offset += 512 + Math.ceil(size / 512) * 512;
	}
	return entries;
}

/** The workspace packages to publish: every folder of `packages/` with a package.json. */
export function publishedPackageDirs(root: string): string[] {
	const dir = join(root, "packages");
	return readdirSync(dir)
		.map((name) => join(dir, name))
		.filter((path) => statSync(path).isDirectory() && readdirSync(path).includes("package.json"))
		.sort();
}

/**
 * Packs every package of `packages/` into `destination` with `pnpm pack`.
 *
 * @example
 * ```ts
 * const packed = await packAll(root, mkdtempSync(join(tmpdir(), "pack-")))
 * ```
 */
export async function packAll(root: string, destination: string): Promise<PackedPackage[]> {
	mkdirSync(destination, { recursive: true });
	return Promise.all(publishedPackageDirs(root).map((dir) => packOne(dir, destination)));
}

async function packOne(dir: string, destination: string): Promise<PackedPackage> {
	const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", destination], {
		cwd: dir,
		maxBuffer: 16 * 1024 * 1024,
	});
	const { filename } = JSON.parse(stdout) as { filename: string };
	const tarball = resolve(destination, filename);
	const entries = readTarball(tarball);
	const manifestBytes = entries.get("package/package.json");
	if (!manifestBytes) throw new Error(`${tarball} has no package/package.json.`);
	const manifest = JSON.parse(manifestBytes.toString("utf8")) as Record<string, unknown>;
	return {
		name: String(manifest.name),
		version: String(manifest.version),
		dir,
		tarball,
		manifest,
		files: [...entries.keys()].map((path) => path.replace(/^package\//, "")).sort(),
	};
}

/** What is wrong with a packed package before any linting: `workspace:` specifiers, missing files. */
export function manifestProblems(pkg: PackedPackage): string[] {
	const problems: string[] = [];
	const visit = (value: unknown, path: string) => {
		if (typeof value === "string" && value.startsWith("workspace:"))
			problems.push(`package.json ${path} is "${value}": pack with pnpm, never npm (see README, Releasing)`);
		else if (value && typeof value === "object")
			for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key);
	};
	visit(pkg.manifest, "");
	for (const file of REQUIRED_FILES) {
		if (!pkg.files.includes(file)) problems.push(`the tarball has no ${file}`);
	}
	return problems;
}

/** publint --strict on the tarball itself; returns its messages, formatted without color. */
export async function publintProblems(pkg: PackedPackage): Promise<string[]> {
	const data = readFileSync(pkg.tarball);
	const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
	const result = await publint({ pack: { tarball }, strict: true, level: "suggestion" });
	return result.messages.map(
		(message) =>
			`publint ${message.type}: ${formatMessage(message, result.pkg, { color: false }) ?? message.code}`,
	);
}

/** Resolution kinds that an ESM-only package does not serve (CommonJS `require` and node10). */
const ESM_ONLY_IGNORED = new Set(["node10", "node16-cjs"]);

/**
 * attw with the ESM-only profile, on the tarball; returns its problems outside what the profile ignores
 * (`require` of an ESM-only package is expected, and is documented in the README's Install section).
 */
export async function attwProblems(root: string, pkg: PackedPackage): Promise<string[]> {
	const attw = join(root, "node_modules", ".bin", "attw");
	const args = [pkg.tarball, "--profile", "esm-only", "--format", "json"];
	const { stdout } = await run(attw, args, { maxBuffer: 64 * 1024 * 1024 }).catch(
		(error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
	);
	let report: { analysis?: { problems?: { kind: string; entrypoint?: string; resolutionKind?: string }[] } };
	try {
		report = JSON.parse(stdout);
	} catch {
		return [`attw failed: ${stdout.slice(0, 500)}`];
	}
	return (report.analysis?.problems ?? [])
		.filter((problem) => !ESM_ONLY_IGNORED.has(problem.resolutionKind ?? ""))
		.map(
			(problem) => `attw ${problem.kind} (${problem.entrypoint ?? "."}, ${problem.resolutionKind ?? "any"})`,
		);
}

async function main(): Promise<number> {
	const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
	const outIndex = process.argv.indexOf("--out");
	const out = outIndex === -1 ? undefined : process.argv[outIndex + 1];
	const lint = !process.argv.includes("--no-lint");
	const destination = out ? resolve(out) : mkdtempSync(join(tmpdir(), "bearerguard-pack-"));
	let failed = 0;
	try {
		const packed = await packAll(root, destination);
		const linted = await Promise.all(
			packed.map(async (pkg) =>
				lint ? [...(await publintProblems(pkg)), ...(await attwProblems(root, pkg))] : [],
			),
		);
		for (const [index, pkg] of packed.entries()) {
			const problems = [...manifestProblems(pkg), ...(linted[index] ?? [])];
			const size = (statSync(pkg.tarball).size / 1024).toFixed(1);
			const checks = lint ? "; publint --strict, attw esm-only: ok" : "";
			if (problems.length === 0) {
				console.log(`pack: ${pkg.name}@${pkg.version}: ${pkg.files.length} files, ${size} KiB${checks}`);
			} else {
				failed++;
				console.error(`pack: ${pkg.name}@${pkg.version}: FAILED`);
				for (const problem of problems) console.error(`  ${problem}`);
			}
		}
		if (out) console.log(`pack: tarballs in ${destination}`);
	} finally {
		if (!out) rmSync(destination, { recursive: true, force: true });
	}
	return failed > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
