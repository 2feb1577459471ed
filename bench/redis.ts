/**
 * The Redis benchmark (`pnpm bench --redis`, and part of a full `pnpm bench`): what the fleet state
 * of `@bearerguard/redis` costs a request.
 * - Revocation: a cached-token request checked against the Redis revocation list (`isRevoked:
 *   list.isRevoked`, the mirror holding BENCH_REDIS_ENTRIES revocations, 10,000 by default) against the
 *   same request without `isRevoked`; in one process (the adapters' `authenticate`, interleaved rounds
 *   as in micro.ts) and over HTTP (one server process per variant, pinned, alternating rounds as in
 *   http.ts). A constant `isRevoked: () => false` separates the cost of having a hook from the list's.
 * - DPoP replay: `createReplayStore(client).claim()`, one Redis round trip per DPoP request: its latency
 *   (one claim at a time) and the CPU it costs the server, against a bare PING on the same client.
 */
import { randomUUID } from "node:crypto";
import { createAuthenticator } from "@bearerguard/core";
import { createReplayStore, createRevocationList } from "@bearerguard/redis";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { createClient } from "redis";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import {
	type HarnessOptions,
	type Measurement,
	measureInterleaved,
	median,
	ratioOfRuns,
} from "./lib/harness.js";
import { runLoad, type Tokens } from "./lib/load.js";
import {
	benchRedis,
	REDIS_VARIANTS,
	type RedisBenchServer,
	type RedisVariant,
	startRedisBenchServer,
} from "./lib/redis-bench.js";
import { formatCount, formatMs, formatRatio, markdownTable } from "./lib/table.js";
import { ROUTE } from "./servers/shared.js";
import type { Framework } from "./servers/variants.js";

export interface RedisBenchOptions {
	readonly micro: HarnessOptions;
	readonly http: {
		readonly seconds: number;
		readonly warmupSeconds: number;
		readonly initialWarmupSeconds: number;
		readonly rounds: number;
		readonly frameworks: readonly Framework[];
	};
	/** Sequential operations per replay-store measurement. */
	readonly replayOperations: number;
}

export interface RedisMicroResult extends Measurement {
	readonly case: string;
	/** Median over the rounds of ops/s ÷ that of `authenticate` without `isRevoked`, same round. */
	readonly ratioToWithout: number;
}

export interface RedisHttpResult {
	readonly framework: Framework;
	readonly variant: RedisVariant;
	readonly requestsPerSec: number;
	readonly p99Ms: number;
	readonly cpuMicrosPerRequest: number;
	readonly failures: number;
	/** Median over the rounds of req/s ÷ that of `bearerguard` without `isRevoked`, same round. */
	readonly ratioToWithout: number;
	/**
	 * Median over the rounds of the server CPU per request without `isRevoked` ÷ this one's, same round:
	 * the capacity ratio of a saturated server, far steadier than req/s on a shared machine.
	 */
	readonly cpuRatioToWithout: number;
	readonly rounds: readonly { requestsPerSec: number; p99Ms: number; cpuMicrosPerRequest: number }[];
}

export interface ReplayResult {
	readonly operation: string;
	readonly p50Micros: number;
	readonly p99Micros: number;
	/** This process's CPU time (every thread) per operation, one at a time. */
	readonly cpuMicros: number;
	/** With 50 operations in flight. */
	readonly opsPerSecConcurrent: number;
	/** This process's CPU time per operation with 50 in flight (the client pipelines them). */
	readonly cpuMicrosConcurrent: number;
}

export interface RedisBenchResult {
	readonly redis: string;
	readonly entries: number;
	readonly micro: RedisMicroResult[];
	readonly http: RedisHttpResult[];
	readonly replay: ReplayResult[];
}

const ENTRIES = Number(process.env.BENCH_REDIS_ENTRIES ?? 10_000);

/** Fills the list at `prefix` with `count` revocations of unrelated tokens, valid for an hour. */
async function fill(url: string, prefix: string, count: number): Promise<void> {
	const client = await createClient({ url }).connect();
	const list = await createRevocationList(client, { prefix });
	const exp = Math.floor(Date.now() / 1000) + 3600;
	for (let from = 0; from < count; from += 2000) {
		const size = Math.min(2000, count - from);
		await Promise.all(Array.from({ length: size }, (_, i) => list.revoke({ jti: `bench-${from + i}`, exp })));
	}
	await list.close();
	client.destroy();
}

async function runRevocationMicro(
	url: string,
	prefix: string,
	issuer: TestIssuer,
	harness: HarnessOptions,
): Promise<RedisMicroResult[]> {
	const client = await createClient({ url }).connect();
	const list = await createRevocationList(client, { prefix });
	try {
		const token = await issuer.sign(TOKEN_CLAIMS);
		const base = { issuer: issuer.issuer, audience: issuer.audience, permissions: ["read"] };
		const without = createAuthenticator(base, {});
		const constant = createAuthenticator({ ...base, isRevoked: () => false }, {});
		const withList = createAuthenticator({ ...base, isRevoked: list.isRevoked }, {});
		const request = { headers: { authorization: `Bearer ${token}` } };
		// Warm: keys fetched, the token cached (it enters the cache at its second verification).
		for (const authenticator of [without, constant, withList]) {
			for (let i = 0; i < 3; i++) await authenticator.authenticate(request);
		}
		const auth = await without.authenticate(request);
		if (!auth || list.isRevoked(auth)) throw new Error("bench: the token must verify and not be revoked");
		const revoked = { ...auth, claims: { ...auth.claims, jti: "bench-1" } };
		if (!list.isRevoked(revoked)) throw new Error("bench: the list must hold its revocations");
		const cases = [
			{
				case: "authenticate, cache hit, no isRevoked",
				run: () => without.authenticate(request),
				async: true,
			},
			{
				case: "authenticate, cache hit, isRevoked: () => false",
				run: () => constant.authenticate(request),
				async: true,
			},
			{
				case: "authenticate, cache hit, isRevoked: list.isRevoked (Redis list)",
				run: () => withList.authenticate(request),
				async: true,
			},
			{ case: "list.isRevoked(auth) alone, not revoked", run: () => list.isRevoked(auth), async: false },
			{ case: "list.isRevoked(auth) alone, revoked", run: () => list.isRevoked(revoked), async: false },
		];
		const measured = await measureInterleaved(cases, harness);
		const baseline = measured[0] as Measurement;
		return cases.map((benchCase, index) => {
			const measurement = measured[index] as Measurement;
			const result = {
				case: benchCase.case,
				...measurement,
				ratioToWithout: ratioOfRuns(measurement, baseline),
			};
			process.stderr.write(
				`  redis micro ${result.case}: ${formatCount(result.opsPerSec)} ops/s (${formatRatio(result.ratioToWithout)})\n`,
			);
			return result;
		});
	} finally {
		await list.close();
		client.destroy();
	}
}

async function runRevocationHttp(
	env: Record<string, string>,
	issuer: TestIssuer,
	options: RedisBenchOptions["http"],
): Promise<RedisHttpResult[]> {
	const token = await issuer.sign(TOKEN_CLAIMS);
	const tokens: Tokens = { repeated: token, pool: [token] };
	const results: RedisHttpResult[] = [];
	// The revocation servers exist for Express, Koa and Fastify (NestJS and Hono add nothing here).
	const frameworks = options.frameworks.filter(
		(name) => name === "express" || name === "koa" || name === "fastify",
	);
	for (const framework of frameworks) {
		const servers: RedisBenchServer[] = [];
		const runs = REDIS_VARIANTS.map(
			() => [] as { requestsPerSec: number; p99Ms: number; cpuMicrosPerRequest: number; failures: number }[],
		);
		try {
			for (const variant of REDIS_VARIANTS) {
				const server = await startRedisBenchServer(framework, variant, env);
				servers.push(server);
				const url = `http://127.0.0.1:${server.port}${ROUTE}`;
				const statuses = [
					(await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status,
					(await fetch(url)).status,
				];
				if (statuses.join() !== "200,401")
					throw new Error(`bench: ${framework}/${variant} answered ${statuses}`);
				await runLoad(url, tokens, "repeated", options.initialWarmupSeconds);
			}
			for (let round = 1; round <= options.rounds; round++) {
				const order = [...servers.keys()];
				if (round % 2 === 0) order.reverse();
				for (const index of order) {
					const server = servers[index] as RedisBenchServer;
					const url = `http://127.0.0.1:${server.port}${ROUTE}`;
					await runLoad(url, tokens, "repeated", options.warmupSeconds);
					const cpuBefore = await server.cpuMicros();
					const result = await runLoad(url, tokens, "repeated", options.seconds);
					const cpuMicrosPerRequest = ((await server.cpuMicros()) - cpuBefore) / result.total;
					runs[index]?.push({ ...result, cpuMicrosPerRequest });
					process.stderr.write(
						`  redis http ${framework} ${REDIS_VARIANTS[index]} round ${round}: ${formatCount(result.requestsPerSec)} req/s, ${cpuMicrosPerRequest.toFixed(1)} µs CPU/req${result.failures ? `, ${result.failures} FAILED` : ""}\n`,
					);
				}
			}
		} finally {
			await Promise.all(servers.map((server) => server.stop()));
		}
		const baseline = runs[0] ?? [];
		REDIS_VARIANTS.forEach((variant, index) => {
			const own = runs[index] ?? [];
			results.push({
				framework,
				variant,
				requestsPerSec: median(own.map((run) => run.requestsPerSec)),
				p99Ms: median(own.map((run) => run.p99Ms)),
				cpuMicrosPerRequest: median(own.map((run) => run.cpuMicrosPerRequest)),
				failures: own.reduce((sum, run) => sum + run.failures, 0),
				ratioToWithout: median(
					own.map((run, i) => run.requestsPerSec / (baseline[i]?.requestsPerSec ?? Number.NaN)),
				),
				cpuRatioToWithout: median(
					own.map((run, i) => (baseline[i]?.cpuMicrosPerRequest ?? Number.NaN) / run.cpuMicrosPerRequest),
				),
				rounds: own,
			});
		});
	}
	return results;
}

/** Times `operation` one at a time (`count` of them), then with 50 in flight for a second. */
async function timeOperation(
	name: string,
	count: number,
	operation: () => Promise<unknown>,
): Promise<ReplayResult> {
	for (let i = 0; i < 200; i++) await operation();
	const latencies: number[] = [];
	const cpuBefore = process.cpuUsage();
	for (let i = 0; i < count; i++) {
		const started = performance.now();
		await operation();
		latencies.push((performance.now() - started) * 1000);
	}
	const cpu = process.cpuUsage(cpuBefore);
	let done = 0;
	const cpuConcurrent = process.cpuUsage();
	const until = performance.now() + 1000;
	await Promise.all(
		Array.from({ length: 50 }, async () => {
			while (performance.now() < until) {
				await operation();
				done++;
			}
		}),
	);
	const concurrentCpu = process.cpuUsage(cpuConcurrent);
	latencies.sort((a, b) => a - b);
	const result = {
		operation: name,
		p50Micros: latencies[Math.floor(count / 2)] as number,
		p99Micros: latencies[Math.floor(count * 0.99)] as number,
		cpuMicros: (cpu.user + cpu.system) / count,
		opsPerSecConcurrent: done,
		cpuMicrosConcurrent: (concurrentCpu.user + concurrentCpu.system) / done,
	};
	process.stderr.write(
		`  redis replay ${name}: p50 ${result.p50Micros.toFixed(0)} µs, p99 ${result.p99Micros.toFixed(0)} µs, ${result.cpuMicros.toFixed(1)} µs CPU, ${formatCount(done)}/s with 50 in flight\n`,
	);
	return result;
}

async function runReplay(url: string, count: number): Promise<ReplayResult[]> {
	const client = await createClient({ url }).connect();
	try {
		const store = createReplayStore(client, { prefix: `bench:${randomUUID()}:dpop:` });
		const window = () => new Date(Date.now() + 300_000);
		return [
			await timeOperation("PING on the same client (a bare round trip)", count, () => client.ping()),
			await timeOperation("claim(proof jti), a new key", count, () => store.claim(randomUUID(), window())),
		];
	} finally {
		client.destroy();
	}
}

/** Runs the Redis benchmark; resolves the reason instead when no Redis can be had. */
export async function runRedis(options: RedisBenchOptions): Promise<RedisBenchResult | string> {
	const redis = await benchRedis();
	if (typeof redis === "string") return redis;
	const issuer = await createTestIssuer();
	try {
		const prefix = `bench:${randomUUID()}:{revocations}:`;
		await fill(redis.url, prefix, ENTRIES);
		const micro = await runRevocationMicro(redis.url, prefix, issuer, options.micro);
		const env = {
			BEARERGUARD_ISSUER: issuer.issuer,
			BEARERGUARD_AUDIENCE: issuer.audience,
			BENCH_REDIS_URL: redis.url,
			BENCH_REDIS_PREFIX: prefix,
			BENCH_REDIS_ENTRIES: String(ENTRIES),
		};
		const http = await runRevocationHttp(env, issuer, options.http);
		const replay = await runReplay(redis.url, options.replayOperations);
		return { redis: redis.origin, entries: ENTRIES, micro, http, replay };
	} finally {
		await issuer.close();
		await redis.close();
	}
}

export function redisTables(result: RedisBenchResult): string {
	const micro = markdownTable(
		["case (RS256 token, one process)", "ops/s", "ns/op", "× no isRevoked"],
		result.micro.map((row) => [
			row.case,
			formatCount(row.opsPerSec),
			formatCount(1e9 / row.opsPerSec),
			row.case.startsWith("authenticate") ? formatRatio(row.ratioToWithout) : "",
		]),
	);
	const http = markdownTable(
		["framework", "variant", "req/s", "p99 ms", "server CPU µs/req", "× no isRevoked (req/s)", "× (CPU/req)"],
		result.http.map((row) => [
			row.framework,
			row.variant,
			formatCount(row.requestsPerSec),
			formatMs(row.p99Ms),
			row.cpuMicrosPerRequest.toFixed(1),
			row.failures === 0 ? formatRatio(row.ratioToWithout) : `${row.failures} failed (spoilt)`,
			formatRatio(row.cpuRatioToWithout),
		]),
	);
	const replay = markdownTable(
		["operation", "p50 µs", "p99 µs", "CPU µs/op", "ops/s, 50 in flight", "CPU µs/op, 50 in flight"],
		result.replay.map((row) => [
			row.operation,
			formatCount(row.p50Micros),
			formatCount(row.p99Micros),
			row.cpuMicros.toFixed(1),
			formatCount(row.opsPerSecConcurrent),
			row.cpuMicrosConcurrent.toFixed(1),
		]),
	);
	return [
		`Redis: ${result.redis}; the list holds ${formatCount(result.entries)} revocations.\n`,
		`### Revocation check, in one process (cache hit)\n\n${micro}\n`,
		`### Revocation check over HTTP (GET ${ROUTE}, one repeated token)\n\n${http}\n`,
		`### DPoP replay store: one claim per DPoP request\n\n${replay}`,
	].join("\n");
}
