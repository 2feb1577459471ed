/**
 * `pnpm bench [--micro] [--http] [--redis] [--dpop] [--quick]`: the micro benchmark, the HTTP benchmark,
 * then the Redis benchmark (all three when no part is named; the Redis one is skipped without a Redis).
 * The DPoP benchmarks run with the micro and HTTP parts; `--dpop` runs them alone. Prints markdown tables on stdout (progress on stderr) and writes every
 * number to bench/results/latest.json. `--quick` shortens every run; BENCH_DURATION sets the seconds
 * of each HTTP run (default 4, or 2 with `--quick`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, platform, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentialHttpTable, runCredentialHttp } from "./credentials-http.js";
import { credentialMicroTable, runCredentialMicro } from "./credentials-micro.js";
import { dpopHttpTable, runDpopHttp } from "./dpop-http.js";
import { dpopMicroTable, runDpopMicro } from "./dpop-micro.js";
import { eventsTable, runEvents } from "./events.js";
import { type HttpOptions, httpTable, runHttp } from "./http.js";
import { prepareBaseline } from "./lib/baseline.js";
import type { HarnessOptions } from "./lib/harness.js";
import { CONNECTIONS } from "./lib/load.js";
import { pinning } from "./lib/pinning.js";
import { microTable, runMicro } from "./micro.js";
import { redisTables, runRedis } from "./redis.js";
import { DPOP_FRAMEWORKS, type DpopFramework } from "./servers/dpop.js";
import { ROUTE } from "./servers/shared.js";
import { FRAMEWORKS, type Framework } from "./servers/variants.js";

const FLAGS = new Set(["--micro", "--http", "--redis", "--dpop", "--quick"]);

/** The DPoP HTTP benchmark's frameworks: Express and Fastify, or those of BENCH_FRAMEWORKS it has. */
function dpopFrameworksFrom(frameworks: readonly Framework[], value: string | undefined): DpopFramework[] {
	if (value === undefined || value === "") return ["express", "fastify"];
	return DPOP_FRAMEWORKS.filter((framework) => frameworks.includes(framework));
}

/** BENCH_FRAMEWORKS=koa,fastify runs those only; every framework by default. */
function frameworksFrom(value: string | undefined): Framework[] {
	if (value === undefined || value === "") return FRAMEWORKS;
	const names = value.split(",");
	const unknown = names.filter((name) => !FRAMEWORKS.includes(name as Framework));
	if (unknown.length > 0)
		throw new Error(`bench: BENCH_FRAMEWORKS has ${unknown.join(", ")}; use ${FRAMEWORKS.join(",")}`);
	return names as Framework[];
}

function parseArguments(argv: readonly string[]) {
	const unknown = argv.filter((arg) => !FLAGS.has(arg));
	if (unknown.length > 0)
		throw new Error(`bench: unknown argument ${unknown.join(" ")}; use ${[...FLAGS].join(" ")}`);
	const quick = argv.includes("--quick");
	const picked = ["--micro", "--http", "--redis", "--dpop"].some((part) => argv.includes(part));
	const seconds = Number(process.env.BENCH_DURATION ?? (quick ? 2 : 4));
	if (!(seconds >= 1)) throw new Error("bench: BENCH_DURATION must be a number of seconds, at least 1");
	const micro: HarnessOptions = quick
		? { warmupMs: 150, runMs: 200, runs: 5 }
		: { warmupMs: 300, runMs: 300, runs: 7 };
	const http: HttpOptions = {
		seconds,
		warmupSeconds: 1,
		initialWarmupSeconds: quick ? 1 : 3,
		rounds: quick ? 2 : 4,
		poolSize: 20_000,
		frameworks: frameworksFrom(process.env.BENCH_FRAMEWORKS),
	};
	return {
		quick,
		runMicro: !picked || argv.includes("--micro"),
		runHttp: !picked || argv.includes("--http"),
		runRedis: !picked || argv.includes("--redis"),
		runDpopMicro: !picked || argv.includes("--micro") || argv.includes("--dpop"),
		runDpopHttp: !picked || argv.includes("--http") || argv.includes("--dpop"),
		dpopFrameworks: dpopFrameworksFrom(http.frameworks, process.env.BENCH_FRAMEWORKS),
		micro,
		http,
		redis: { micro, http, replayOperations: quick ? 1000 : 5000 },
	};
}

function machine() {
	return {
		cpu: cpus()[0]?.model ?? "unknown",
		cores: cpus().length,
		node: process.version,
		os: `${platform()} ${release()}`,
		date: new Date().toISOString(),
	};
}

async function main(): Promise<void> {
	const settings = parseArguments(process.argv.slice(2));
	const about = machine();
	console.log(`# bearerguard benchmark\n`);
	console.log(`${about.cpu}, ${about.cores} cores, Node ${about.node}, ${about.os}, ${about.date}\n`);

	const micro = settings.runMicro ? await runMicro(settings.micro) : undefined;
	if (micro) {
		console.log(
			`## Micro: verifications per second (median of ${settings.micro.runs} interleaved rounds of ${settings.micro.runMs} ms per case; ratios taken within each round)\n`,
		);
		console.log(`${microTable(micro)}\n`);
	}
	const events = settings.runMicro ? await runEvents(settings.micro) : undefined;
	if (events) {
		console.log("## Diagnostics events: the same request without and with one subscriber\n");
		console.log(`${eventsTable(events)}\n`);
	}

	const credentialMicro = settings.runMicro ? await runCredentialMicro(settings.micro) : undefined;
	if (credentialMicro) {
		console.log("## Credentials: a request's authentication by credential, in one process\n");
		console.log(`${credentialMicroTable(credentialMicro)}\n`);
	}

	const dpopMicro = settings.runDpopMicro ? await runDpopMicro(settings.micro) : undefined;
	if (dpopMicro) {
		console.log(
			"## DPoP: a request's authentication, Bearer against DPoP (a new proof per request), cached token, in one process\n",
		);
		console.log(`${dpopMicroTable(dpopMicro)}\n`);
	}

	// Pinned after the micro benchmark, whose jose row may use the thread pool on every core.
	const { pinned, serverCore } = pinning();
	const placement = pinned
		? `servers pinned to core ${serverCore}, autocannon to the others (taskset)`
		: "processes not pinned";
	// BENCH_BASELINE=<git ref>: the same servers with the adapters of that commit, side by side.
	const baseline = settings.runHttp ? prepareBaseline(process.env.BENCH_BASELINE) : undefined;
	if (baseline !== undefined) process.env.BENCH_BASELINE_DIR = baseline;
	const http = settings.runHttp ? await runHttp(settings.http) : undefined;
	if (http) {
		const { seconds, rounds } = settings.http;
		console.log(
			`## HTTP: GET ${ROUTE}, autocannon, ${CONNECTIONS} connections, ${seconds} s runs, median of ${rounds} alternating rounds; ${placement}\n`,
		);
		console.log(`${httpTable(http, settings.http.poolSize)}\n`);
	}

	// Many short rounds, each ratio taken within a pair of adjacent 1 s runs: a burst of other work on the
	// machine hits both runs of a pair alike.
	const credentialRounds = {
		...settings.http,
		seconds: 1,
		warmupSeconds: 0,
		rounds: settings.http.rounds * 5,
	};
	const credentialHttp = settings.runHttp ? await runCredentialHttp(credentialRounds) : undefined;
	if (credentialHttp) {
		console.log(`## HTTP: API keys against no auth under the same request (${placement})\n`);
		console.log(`${credentialHttpTable(credentialHttp)}\n`);
	}

	const dpopHttp =
		settings.runDpopHttp && settings.dpopFrameworks.length > 0
			? await runDpopHttp({ ...credentialRounds, frameworks: settings.dpopFrameworks })
			: undefined;
	if (dpopHttp) {
		console.log(
			`## HTTP: DPoP against Bearer on the same server, the Redis replay store against the in-memory one, ${credentialRounds.rounds} alternating rounds of ${credentialRounds.seconds} s runs (${placement})\n`,
		);
		console.log(`${dpopHttpTable(dpopHttp)}\n`);
	}

	const redis = settings.runRedis ? await runRedis(settings.redis) : undefined;
	if (redis !== undefined) {
		console.log(`## Redis: @bearerguard/redis on the request path\n`);
		console.log(typeof redis === "string" ? `Skipped: ${redis}.\n` : `${redisTables(redis)}\n`);
	}

	const file = join(dirname(fileURLToPath(import.meta.url)), "results", "latest.json");
	await mkdir(dirname(file), { recursive: true });
	const report = {
		machine: about,
		command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
		baseline: process.env.BENCH_BASELINE ?? null,
		settings: {
			micro: settings.micro,
			http: { ...settings.http, connections: CONNECTIONS, placement },
			dpopHttp: dpopHttp ? { ...credentialRounds, frameworks: settings.dpopFrameworks } : null,
		},
		micro: micro ?? null,
		events: events ?? null,
		http: http ?? null,
		credentials: { micro: credentialMicro ?? null, http: credentialHttp ?? null },
		redis: redis ?? null,
		dpop: { micro: dpopMicro ?? null, http: dpopHttp ?? null },
	};
	await writeFile(file, `${JSON.stringify(report, null, "\t")}\n`);
	console.log(`Every number: ${file}`);
}

// Ctrl-C and kill end the run through process.exit, whose handler (lib/servers.ts) kills the servers.
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));
main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
