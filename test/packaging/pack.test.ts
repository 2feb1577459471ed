/**
 * The release path's guard: `npm pack` in the workspace leaves `workspace:^` in a tarball (npm does not
 * know the protocol), and scripts/pack.ts refuses such a tarball; `pnpm pack` rewrites it to the version.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestProblems, type PackedPackage, readTarball } from "../../scripts/pack.js";
import { ROOT } from "../readme/support/quick-start.js";

const run = promisify(execFile);
let out: string;

beforeAll(() => {
	out = mkdtempSync(join(tmpdir(), "bearerguard-npm-pack-"));
});

afterAll(() => {
	rmSync(out, { recursive: true, force: true });
});

async function packWith(tool: "npm" | "pnpm"): Promise<PackedPackage> {
	const dir = join(ROOT, "packages", "express");
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_config_/i.test(name)),
	);
	mkdirSync(join(out, tool), { recursive: true });
	const { stdout } = await run(tool, ["pack", "--json", "--pack-destination", join(out, tool)], {
		cwd: dir,
		env,
	});
	const parsed = JSON.parse(stdout) as { filename: string } | { filename: string }[];
	const filename = Array.isArray(parsed) ? parsed[0]?.filename : parsed.filename;
	const tarball = join(out, tool, (filename ?? "").split("/").pop() ?? "");
	const entries = readTarball(tarball);
	const manifest = JSON.parse(entries.get("package/package.json")?.toString("utf8") ?? "{}") as Record<
		string,
		unknown
	>;
	return {
		name: String(manifest.name),
		version: String(manifest.version),
		dir,
		tarball,
		manifest,
		files: [...entries.keys()].map((path) => path.replace(/^package\//, "")),
	};
}

describe("the release path", () => {
	it("refuses a tarball made by npm pack in the workspace (workspace:^ left in it)", async () => {
		const pkg = await packWith("npm");
		expect(manifestProblems(pkg)).toEqual([
			'package.json dependencies.@bearerguard/core is "workspace:^": pack with pnpm, never npm (see README, Releasing)',
			'package.json devDependencies.@bearerguard/testing is "workspace:*": pack with pnpm, never npm (see README, Releasing)',
		]);
	});

	it("accepts the tarball pnpm pack makes of the same package", async () => {
		const pkg = await packWith("pnpm");
		expect(manifestProblems(pkg)).toEqual([]);
		expect((pkg.manifest.dependencies as Record<string, string>)["@bearerguard/core"]).toBe(
			`^${pkg.version}`,
		);
	});

	it("names every file a tarball lacks", () => {
		const pkg: PackedPackage = {
			name: "@bearerguard/example",
			version: "1.0.0",
			dir: ROOT,
			tarball: "example.tgz",
			manifest: { name: "@bearerguard/example", peerDependencies: { koa: "workspace:*" } },
			files: ["package.json", "dist/index.js"],
		};
		expect(manifestProblems(pkg)).toEqual([
			'package.json peerDependencies.koa is "workspace:*": pack with pnpm, never npm (see README, Releasing)',
			"the tarball has no README.md",
			"the tarball has no LICENSE",
			"the tarball has no dist/index.d.ts",
		]);
	});
});
