/**
 * HTTP benchmark of DPoP (RFC 9449): autocannon on loopback against one server process per framework
 * and server (dpop-server.ts, servers/dpop.ts, pinned as in http.ts), GET /v1/products behind
 * `requireAuth({ permissions: ['read'], dpop })`. Each server of ours is loaded with a cached Bearer
 * token and with a cached DPoP-bound token whose every request carries a proof of its own (ES256, a
 * unique `jti`, `htu` the server's URL, minted before each run: lib/dpop-proofs.ts). Compared, each
 * within the same round: DPoP with Bearer on the same server; the Redis replay store with the in-memory
 * one; express-oauth2-jwt-bearer's DPoP with its Bearer, and ours with it. Short runs of many rounds in
 * alternating order, as credentials-http.ts.
 */
import { randomUUID } from "node:crypto";
import { Agent, get as httpGet } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestIssuer } from "@bearerguard/testing";
import autocannon from "autocannon";
import { createClient } from "redis";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { type ProofMinter, proofMinter } from "./lib/dpop-proofs.js";
import { median } from "./lib/harness.js";
import { CONNECTIONS } from "./lib/load.js";
import { benchRedis } from "./lib/redis-bench.js";
import { type ServerProcess, startServer } from "./lib/servers.js";
import { formatCount, formatDelta, formatMs, formatRatio, markdownTable } from "./lib/table.js";
import { DPOP_SERVERS, type DpopFramework, type DpopServer } from "./servers/dpop.js";
import { ROUTE } from "./servers/shared.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "dpop-server.ts");

export interface DpopHttpOptions {
	readonly seconds: number;
	readonly warmupSeconds: number;
	readonly initialWarmupSeconds: number;
	readonly rounds: number;
	readonly frameworks: readonly DpopFramework[];
}

/** How a load presents its token. */
export type DpopRequest = "Bearer" | "DPoP (ES256)";

/** One server under one kind of request, and what it is compared with. */
interface Load {
	readonly server: DpopServer;
	readonly request: DpopRequest;
	readonly baseline?: { readonly server: DpopServer; readonly request: DpopRequest };
}

interface Measured {
	readonly requestsPerSec: number;
	readonly p50Ms: number;
	readonly p99Ms: number;
	readonly cpuMicrosPerRequest: number;
	readonly failures: number;
	/** Proofs signed during the run because the minted ones ran out (slows the client). */
	readonly proofsSignedDuringRun: number;
}

export interface DpopHttpResult {
	readonly framework: DpopFramework;
	readonly server: DpopServer;
	readonly request: DpopRequest;
	/** Medians over the rounds. */
	readonly requestsPerSec: number;
	readonly p50Ms: number;
	readonly p99Ms: number;
	readonly cpuMicrosPerRequest: number;
	readonly failures: number;
	readonly proofsSignedDuringRuns: number;
	/** What the row is compared with (`server / request`), within each round. */
	readonly comparedWith: string | undefined;
	/** Median over the rounds of (this CPU/req − the compared one's), µs. */
	readonly addedCpuMicrosPerRequest: number | undefined;
	/** Median over the rounds of this CPU/req ÷ the compared one's: the cost ratio. */
	readonly cpuRatio: number | undefined;
	/** Median over the rounds of this req/s ÷ the compared one's. */
	readonly requestsPerSecRatio: number | undefined;
	/** Medians over the rounds of the latency differences, ms (under saturation, with 50 connections). */
	readonly addedP50Ms: number | undefined;
	readonly addedP99Ms: number | undefined;
	/** The peer's DPoP row: median over the rounds of our DPoP req/s (in-memory store) ÷ the peer's. */
	readonly oursOverPeer: number | undefined;
	readonly rounds: readonly Measured[];
}

/** One request at a time (no queueing): what the replay store adds to a request's latency. */
export interface DpopLatencyResult {
	readonly framework: DpopFramework;
	readonly server: DpopServer;
	readonly request: DpopRequest;
	/** Requests timed, over every round. */
	readonly requests: number;
	/** Percentiles of every request's latency (client side, loopback), µs. */
	readonly p50Micros: number;
	readonly p99Micros: number;
	/** Median over the rounds of the server's CPU per request. */
	readonly cpuMicrosPerRequest: number;
	readonly comparedWith: string | undefined;
	/** This row's percentile minus the compared row's, µs. */
	readonly addedP50Micros: number | undefined;
	readonly addedP99Micros: number | undefined;
	/** Median over the rounds of (this CPU/req − the compared one's), µs. */
	readonly addedCpuMicrosPerRequest: number | undefined;
	readonly failures: number;
}

/** What a full run of the DPoP HTTP benchmark yields. */
export interface DpopHttpReport {
	/** Where the Redis replay store's Redis is, or why its server was left out. */
	readonly redis: string;
	/** Under load: 50 connections, the server saturated. */
	readonly results: DpopHttpResult[];
	/** One request at a time, {@link PROBE_REQUESTS} per round, on our servers. */
	readonly latency: DpopLatencyResult[];
}

/** Requests of each latency probe (one at a time), per round. */
export const PROBE_REQUESTS = 300;

const MEMORY: DpopServer = "bearerguard, in-memory replay store";
const REDIS: DpopServer = "bearerguard, Redis replay store";
const PEER: DpopServer = "express-oauth2-jwt-bearer";
const DPOP: DpopRequest = "DPoP (ES256)";

function loadsOf(framework: DpopFramework, withRedis: boolean): Load[] {
	const loads: Load[] = [
		{ server: MEMORY, request: "Bearer" },
		{ server: MEMORY, request: DPOP, baseline: { server: MEMORY, request: "Bearer" } },
	];
	if (withRedis) loads.push({ server: REDIS, request: DPOP, baseline: { server: MEMORY, request: DPOP } });
	if (framework === "express") {
		loads.push(
			{ server: PEER, request: "Bearer" },
			{ server: PEER, request: DPOP, baseline: { server: PEER, request: "Bearer" } },
		);
	}
	return loads;
}

const labelOf = (server: DpopServer, request: DpopRequest) => `${server} / ${request}`;

/** The proofs of one server: minted before each run, for as many requests as its last run answered. */
class ProofFeed {
	private proofs: string[] = [];
	private next = 0;
	/** A guess until the first run; then the highest rate seen (a cold first run is slower). */
	private expectedRate = 20_000;
	private highestRate = 0;
	signedDuringRun = 0;
	constructor(
		private readonly minter: ProofMinter,
		readonly authorization: string,
	) {}

	/** Fresh proofs (`iat` now) for `seconds` at twice the highest rate seen (rates move between runs). */
	prepare(seconds: number): void {
		this.prepareCount(Math.ceil(this.expectedRate * seconds * 2) + 1000);
	}

	/** Exactly `count` fresh proofs. */
	prepareCount(count: number): void {
		this.proofs = this.minter.mint(count);
		this.next = 0;
		this.signedDuringRun = 0;
	}

	take(): string {
		if (this.next === this.proofs.length) {
			this.proofs.push(...this.minter.mint(500));
			this.signedDuringRun += 500;
		}
		return this.proofs[this.next++] as string;
	}

	finish(total: number, seconds: number): void {
		this.highestRate = Math.max(this.highestRate, total / seconds);
		this.expectedRate = Math.max(this.highestRate, 1000);
		this.proofs = [];
	}
}

async function load(server: ServerProcess, headers: () => Record<string, string>, seconds: number) {
	const before = await server.cpuMicros();
	const result = await autocannon({
		url: `http://127.0.0.1:${server.port}${ROUTE}`,
		connections: CONNECTIONS,
		duration: seconds,
		requests: [{ method: "GET", setupRequest: (request) => ({ ...request, headers: headers() }) }],
	});
	const cpu = (await server.cpuMicros()) - before;
	return {
		requestsPerSec: result.requests.average,
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		cpuMicrosPerRequest: cpu / result.requests.total,
		failures: result.non2xx + result.errors + result.timeouts,
		total: result.requests.total,
	};
}

/** One request at a time, `count` of them: every latency (µs), and the server's CPU per request. */
async function probe(server: ServerProcess, headers: () => Record<string, string>, count: number) {
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	const get = (given: Record<string, string>) =>
		new Promise<number>((resolve, reject) => {
			const request = httpGet(
				{ host: "127.0.0.1", port: server.port, path: ROUTE, agent, headers: given },
				(response) => {
					response.resume();
					response.once("end", () => resolve(response.statusCode ?? 0));
				},
			);
			request.once("error", reject);
		});
	try {
		for (let i = 0; i < 20; i++) await get(headers());
		const latencies: number[] = [];
		let failures = 0;
		const before = await server.cpuMicros();
		for (let i = 0; i < count; i++) {
			const given = headers();
			const started = performance.now();
			if ((await get(given)) !== 200) failures++;
			latencies.push((performance.now() - started) * 1000);
		}
		const cpu = (await server.cpuMicros()) - before;
		return { latencies, cpuMicrosPerRequest: cpu / count, failures };
	} finally {
		agent.destroy();
	}
}

/** The percentile `p` (0 to 1) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

/** Before timing: Bearer 200, DPoP 200, nothing 401, and (ours) the same proof again 401. */
async function check(server: ServerProcess, kind: DpopServer, bearer: string, feed: ProofFeed) {
	const url = `http://127.0.0.1:${server.port}${ROUTE}`;
	feed.prepare(0);
	const proof = feed.take();
	const dpop = { authorization: feed.authorization, dpop: proof };
	const statuses = [
		(await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })).status,
		(await fetch(url, { headers: dpop })).status,
		(await fetch(url)).status,
	];
	const expected = [200, 200, 401];
	// express-oauth2-jwt-bearer checks no `jti`: a replayed proof passes (RFC 9449 §11.1 leaves it to the server).
	if (kind !== PEER) {
		statuses.push((await fetch(url, { headers: dpop })).status);
		expected.push(401);
	}
	if (statuses.join() !== expected.join()) {
		throw new Error(
			`bench: ${server.label} answered ${statuses.join("/")} instead of ${expected.join("/")} (Bearer, DPoP, none, replayed proof)`,
		);
	}
}

/** Deletes the replay keys the Redis servers left (they would expire with their proofs anyway). */
async function removeKeys(url: string, prefix: string): Promise<void> {
	const client = await createClient({ url }).connect();
	try {
		let keys: string[] = [];
		for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
			keys = keys.concat(batch as unknown as string[]);
			if (keys.length >= 1000) {
				await client.unlink(keys);
				keys = [];
			}
		}
		if (keys.length > 0) await client.unlink(keys);
	} finally {
		client.destroy();
	}
}

function diffs(own: readonly Measured[], base: readonly Measured[], of: (run: Measured) => number): number {
	return median(own.map((run, index) => of(run) - of(base[index] as Measured)));
}

function ratios(own: readonly Measured[], base: readonly Measured[], of: (run: Measured) => number): number {
	return median(own.map((run, index) => of(run) / of(base[index] as Measured)));
}

/** The latency probe of our servers' loads, in alternating rounds. */
async function probeLatency(
	framework: DpopFramework,
	loads: readonly Load[],
	servers: ReadonlyMap<DpopServer, ServerProcess>,
	feeds: ReadonlyMap<DpopServer, ProofFeed>,
	bearer: string,
	rounds: number,
): Promise<DpopLatencyResult[]> {
	const probed = loads.filter((each) => each.server !== PEER);
	const samples = probed.map(() => ({ latencies: [] as number[], cpu: [] as number[], failures: 0 }));
	for (let round = 1; round <= rounds; round++) {
		const order = [...probed.keys()];
		if (round % 2 === 0) order.reverse();
		for (const index of order) {
			const each = probed[index] as Load;
			const server = servers.get(each.server) as ServerProcess;
			let headers: () => Record<string, string>;
			if (each.request === "Bearer") {
				const fixed = { authorization: `Bearer ${bearer}` };
				headers = () => fixed;
			} else {
				const feed = feeds.get(each.server) as ProofFeed;
				feed.prepareCount(PROBE_REQUESTS + 20);
				headers = () => ({ authorization: feed.authorization, dpop: feed.take() });
			}
			const result = await probe(server, headers, PROBE_REQUESTS);
			const sample = samples[index] as (typeof samples)[number];
			sample.latencies.push(...result.latencies);
			sample.cpu.push(result.cpuMicrosPerRequest);
			sample.failures += result.failures;
		}
	}
	const rows = probed.map((each, index) => {
		const sample = samples[index] as (typeof samples)[number];
		const sorted = [...sample.latencies].sort((a, b) => a - b);
		return { each, sample, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
	});
	return rows.map(({ each, sample, p50, p99 }) => {
		const base = each.baseline
			? rows.find(
					(row) => row.each.server === each.baseline?.server && row.each.request === each.baseline.request,
				)
			: undefined;
		const result: DpopLatencyResult = {
			framework,
			server: each.server,
			request: each.request,
			requests: sample.latencies.length,
			p50Micros: p50,
			p99Micros: p99,
			cpuMicrosPerRequest: median(sample.cpu),
			comparedWith: each.baseline && labelOf(each.baseline.server, each.baseline.request),
			addedP50Micros: base && p50 - base.p50,
			addedP99Micros: base && p99 - base.p99,
			addedCpuMicrosPerRequest:
				base && median(sample.cpu.map((cpu, round) => cpu - (base.sample.cpu[round] as number))),
			failures: sample.failures,
		};
		process.stderr.write(
			`  dpop latency ${framework} ${labelOf(each.server, each.request)}: p50 ${p50.toFixed(0)} µs, p99 ${p99.toFixed(0)} µs, ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/req${sample.failures ? `, ${sample.failures} FAILED` : ""}\n`,
		);
		return result;
	});
}

/** Runs every framework in turn; each framework's servers are stopped before the next starts. */
export async function runDpopHttp(options: DpopHttpOptions): Promise<DpopHttpReport> {
	const issuer = await createTestIssuer();
	const redis = await benchRedis();
	const prefix = `bench:${randomUUID()}:dpop:`;
	const bearer = await issuer.sign(TOKEN_CLAIMS);
	const bound = await issuer.sign(TOKEN_CLAIMS, { dpopKey: issuer.dpopKey });
	const env: Record<string, string> = {
		BEARERGUARD_ISSUER: issuer.issuer,
		BEARERGUARD_AUDIENCE: issuer.audience,
		...(typeof redis === "string" ? {} : { BENCH_REDIS_URL: redis.url, BENCH_DPOP_REDIS_PREFIX: prefix }),
	};
	const results: DpopHttpResult[] = [];
	const latency: DpopLatencyResult[] = [];
	try {
		for (const framework of options.frameworks) {
			const loads = loadsOf(framework, typeof redis !== "string");
			const servers = new Map<DpopServer, ServerProcess>();
			const feeds = new Map<DpopServer, ProofFeed>();
			try {
				for (const kind of DPOP_SERVERS) {
					if (!loads.some((each) => each.server === kind)) continue;
					const server = await startServer(framework, kind, env, SCRIPT);
					servers.set(kind, server);
					const url = `http://127.0.0.1:${server.port}${ROUTE}`;
					const feed = new ProofFeed(proofMinter(issuer.dpopKey, "GET", url, bound), `DPoP ${bound}`);
					feeds.set(kind, feed);
					await check(server, kind, bearer, feed);
				}
				const measured = new Map<string, Measured[]>();
				const run = async (each: Load, seconds: number) => {
					const server = servers.get(each.server) as ServerProcess;
					if (each.request === "Bearer") {
						const headers = { authorization: `Bearer ${bearer}` };
						const result = await load(server, () => headers, seconds);
						return { ...result, proofsSignedDuringRun: 0 };
					}
					const feed = feeds.get(each.server) as ProofFeed;
					feed.prepare(seconds);
					const result = await load(
						server,
						() => ({ authorization: feed.authorization, dpop: feed.take() }),
						seconds,
					);
					const signed = feed.signedDuringRun;
					feed.finish(result.total, seconds);
					return { ...result, proofsSignedDuringRun: signed };
				};
				for (const each of loads) await run(each, options.initialWarmupSeconds);
				for (let round = 1; round <= options.rounds; round++) {
					const order = round % 2 === 0 ? [...loads].reverse() : loads;
					for (const each of order) {
						if (options.warmupSeconds > 0) await run(each, options.warmupSeconds);
						const result = await run(each, options.seconds);
						const label = labelOf(each.server, each.request);
						measured.set(label, [...(measured.get(label) ?? []), result]);
						process.stderr.write(
							`  dpop http ${framework} ${label} round ${round}: ${formatCount(result.requestsPerSec)} req/s, p50 ${result.p50Ms} ms, ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/req${result.failures ? `, ${result.failures} FAILED` : ""}${result.proofsSignedDuringRun ? `, ${result.proofsSignedDuringRun} proofs signed during the run` : ""}\n`,
						);
					}
				}
				latency.push(...(await probeLatency(framework, loads, servers, feeds, bearer, options.rounds)));
				const ours = measured.get(labelOf(MEMORY, DPOP)) ?? [];
				for (const each of loads) {
					const own = measured.get(labelOf(each.server, each.request)) ?? [];
					const base =
						each.baseline && (measured.get(labelOf(each.baseline.server, each.baseline.request)) ?? []);
					const cpu = (run: Measured) => run.cpuMicrosPerRequest;
					results.push({
						framework,
						server: each.server,
						request: each.request,
						requestsPerSec: median(own.map((run) => run.requestsPerSec)),
						p50Ms: median(own.map((run) => run.p50Ms)),
						p99Ms: median(own.map((run) => run.p99Ms)),
						cpuMicrosPerRequest: median(own.map(cpu)),
						failures: own.reduce((sum, run) => sum + run.failures, 0),
						proofsSignedDuringRuns: own.reduce((sum, run) => sum + run.proofsSignedDuringRun, 0),
						comparedWith: each.baseline && labelOf(each.baseline.server, each.baseline.request),
						addedCpuMicrosPerRequest: base && diffs(own, base, cpu),
						cpuRatio: base && ratios(own, base, cpu),
						requestsPerSecRatio: base && ratios(own, base, (run) => run.requestsPerSec),
						addedP50Ms: base && diffs(own, base, (run) => run.p50Ms),
						addedP99Ms: base && diffs(own, base, (run) => run.p99Ms),
						oursOverPeer:
							each.server === PEER && each.request === DPOP
								? ratios(ours, own, (run) => run.requestsPerSec)
								: undefined,
						rounds: own,
					});
				}
			} finally {
				await Promise.all([...servers.values()].map((server) => server.stop()));
			}
		}
	} finally {
		await issuer.close();
		if (typeof redis !== "string") {
			await removeKeys(redis.url, prefix);
			await redis.close();
		}
	}
	return {
		redis: typeof redis === "string" ? `left out: ${redis}` : redis.origin,
		results,
		latency,
	};
}

const optional = (value: number | undefined, format: (value: number) => string) =>
	value === undefined ? "" : format(value);

export function dpopHttpTable(report: DpopHttpReport): string {
	const table = markdownTable(
		[
			"framework",
			"server",
			"request",
			"req/s",
			"p50 ms",
			"p99 ms",
			"server CPU µs/req",
			"compared with (same round)",
			"CPU µs/req added",
			"CPU/req ×",
			"req/s ×",
			"p50 ms added",
			"p99 ms added",
			"bearerguard ÷ peer (DPoP req/s)",
			"failed requests",
		],
		report.results.map((row) => [
			row.framework,
			row.server,
			row.request,
			formatCount(row.requestsPerSec),
			formatMs(row.p50Ms),
			formatMs(row.p99Ms),
			row.cpuMicrosPerRequest.toFixed(1),
			row.comparedWith ?? "",
			optional(row.addedCpuMicrosPerRequest, formatDelta),
			optional(row.cpuRatio, formatRatio),
			optional(row.requestsPerSecRatio, formatRatio),
			optional(row.addedP50Ms, (value) => `${value >= 0 ? "+" : ""}${value.toFixed(2)}`),
			optional(row.addedP99Ms, (value) => `${value >= 0 ? "+" : ""}${value.toFixed(2)}`),
			optional(row.oursOverPeer, formatRatio),
			row.failures === 0 ? "0" : `${row.failures} (spoilt)`,
		]),
	);
	const latency = markdownTable(
		[
			"framework",
			"server",
			"request",
			"p50 µs",
			"p99 µs",
			"server CPU µs/req",
			"compared with",
			"p50 µs added",
			"p99 µs added",
			"CPU µs/req added",
			"failed requests",
		],
		report.latency.map((row) => [
			row.framework,
			row.server,
			row.request,
			formatCount(row.p50Micros),
			formatCount(row.p99Micros),
			row.cpuMicrosPerRequest.toFixed(1),
			row.comparedWith ?? "",
			optional(row.addedP50Micros, formatDelta),
			optional(row.addedP99Micros, formatDelta),
			optional(row.addedCpuMicrosPerRequest, formatDelta),
			row.failures === 0 ? "0" : `${row.failures} (spoilt)`,
		]),
	);
	return [
		`Redis of the Redis replay store: ${report.redis}.\n`,
		`### Under load (${CONNECTIONS} connections, the server saturated)\n\n${table}\n`,
		`### One request at a time (${PROBE_REQUESTS} per round, keep-alive): latency without queueing\n\n${latency}`,
	].join("\n");
}
