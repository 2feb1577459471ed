/**
 * `node --import tsx scripts/load.ts [--requests 1000000] [--concurrency 50] [--adapters express5,koa]`
 *
 * The full-size load test of issue 5: a fixed number of requests per adapter (Express 5, Express 4,
 * Koa, Fastify) on loopback, half of them unique forged tokens naming unknown kids, over plain
 * `http.Agent` keep-alive with a fixed concurrency. Prints one row per adapter: throughput, answers by
 * status, peak resident memory and its peak over the first and the second half of the run, and the
 * JWKS fetches against what the 30 s cooldown allows. Exits 1 on any 5xx, network error, memory
 * that keeps growing (2nd-half peak over 1st-half peak + 64 MiB) or fetches over the bound.
 * The CI-sized version of the same run is test/load/load.test.ts.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

// The workspace packages are read from their TypeScript sources (no build needed).
if (!process.execArgv.includes("--conditions=source")) {
	const child = spawnSync(
		process.execPath,
		["--conditions=source", ...process.execArgv, ...process.argv.slice(1)],
		{ stdio: "inherit" },
	);
	process.exit(child.status ?? 1);
}

const { runLoad, tableOf } = await import("../test/load/support/load-runner.js");
const { ADAPTERS } = await import("../test/support/apps.js");
type AdapterName = (typeof ADAPTERS)[number];

const { values } = parseArgs({
	options: {
		requests: { type: "string", default: "1000000" },
		concurrency: { type: "string", default: "50" },
		adapters: { type: "string", default: ADAPTERS.join(",") },
	},
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const adapters = values.adapters.split(",") as AdapterName[];
if (!Number.isInteger(requests) || requests < 2 || requests % 2 !== 0) {
	throw new TypeError("--requests must be an even whole number");
}
if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError("--concurrency must be >= 1");
for (const adapter of adapters) {
	if (!(ADAPTERS as readonly string[]).includes(adapter)) throw new TypeError(`unknown adapter ${adapter}`);
}

console.log(
	`load: ${requests.toLocaleString("en")} requests per adapter (half unique forged tokens with unknown kids), ` +
		`${concurrency} concurrent, keep-alive, loopback; Node ${process.version}, ${process.platform}/${process.arch}`,
);
const results = await runLoad({
	requests,
	concurrency,
	adapters,
	onProgress: (adapter, done) => {
		if (done > 0) process.stderr.write(`  ${adapter}: ${done.toLocaleString("en")} sent\n`);
	},
});
console.table(tableOf(results));

const failures = results.flatMap((result) => {
	const problems: string[] = [];
	const other = Object.keys(result.statuses).filter((status) => status !== "200" && status !== "401");
	if (other.length > 0) problems.push(`${result.adapter}: unexpected answers ${other.join(", ")}`);
	if (result.statuses["200"] !== requests / 2) problems.push(`${result.adapter}: a valid token was refused`);
	if (result.retainedSecondHalfMiB > result.retainedFirstHalfMiB + 8)
		problems.push(`${result.adapter}: retained memory kept growing`);
	if (result.jwksFetches > result.jwksFetchBound) problems.push(`${result.adapter}: too many JWKS fetches`);
	return problems;
});
for (const failure of failures) console.error(`FAIL ${failure}`);
console.log(failures.length === 0 ? "OK: no 5xx, no network error, memory flat, JWKS fetches bounded" : "");
process.exit(failures.length === 0 ? 0 : 1);
