/**
 * `BENCH_BASELINE=<git ref> pnpm bench`: a checkout of that commit (a detached git worktree in
 * bench/.baseline/<sha>), installed and built once, whose adapters the "bearerguard (before)" servers
 * use (servers/before.ts). Returns its directory, or `undefined` without BENCH_BASELINE.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function run(command: string, args: string[], cwd: string): string {
	return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

export function prepareBaseline(ref: string | undefined): string | undefined {
	if (ref === undefined || ref === "") return undefined;
	const sha = run("git", ["rev-parse", "--verify", `${ref}^{commit}`], ROOT);
	const dir = join(ROOT, "bench", ".baseline", sha.slice(0, 12));
	if (!existsSync(join(dir, "packages", "express", "dist", "index.js"))) {
		process.stderr.write(
			`  baseline: checking out ${sha.slice(0, 12)} into ${dir}, installing and building\n`,
		);
		if (!existsSync(dir)) run("git", ["worktree", "add", "--detach", dir, sha], ROOT);
		run("pnpm", ["install", "--frozen-lockfile", "--silent"], dir);
		run("pnpm", ["-r", "--filter", "./packages/*", "run", "build"], dir);
	}
	return dir;
}
