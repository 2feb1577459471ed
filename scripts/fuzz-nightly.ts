/**
 * `node --import tsx scripts/fuzz-nightly.ts [--scale 100] [--seed 42]`
 *
 * The nightly-sized property-based fuzzing of issue 5: the same properties as the CI run
 * (test/security/fuzz.test.ts: Authorization parser, claims checks, verifier; test/security/
 * fuzz-http.test.ts: every adapter over HTTP), with every run count multiplied by `--scale` (100 by
 * default, about 900,000 cases). fast-check prints the seed and the shrunk counterexample of a
 * failure; pass `--seed` to replay a run. Exits with vitest's status.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
	options: {
		scale: { type: "string", default: "100" },
		seed: { type: "string" },
	},
});
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 1) throw new TypeError("--scale must be a whole number >= 1");

const root = fileURLToPath(new URL("..", import.meta.url));
const env: NodeJS.ProcessEnv = { ...process.env, BEARERGUARD_FUZZ_SCALE: String(scale) };
if (values.seed !== undefined) env.BEARERGUARD_FUZZ_SEED = values.seed;

console.log(`fuzz-nightly: every property × ${scale}${values.seed ? `, seed ${values.seed}` : ""}`);
const started = Date.now();
const result = spawnSync(
	"pnpm",
	[
		"exec",
		"vitest",
		"run",
		"test/security/fuzz.test.ts",
		"test/security/fuzz-http.test.ts",
		"--typecheck.enabled=false",
		`--testTimeout=${30_000 * scale}`,
		`--hookTimeout=${60_000}`,
	],
	{ cwd: root, env, stdio: "inherit" },
);
console.log(`fuzz-nightly: ${Math.round((Date.now() - started) / 1000)} s, exit ${result.status}`);
process.exit(result.status ?? 1);
