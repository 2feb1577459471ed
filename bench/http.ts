/**
 * HTTP benchmark: autocannon on loopback against one server process per framework and variant
 * (bench/server.ts), GET /v1/products with no auth, behind our `requireAuth({ permissions: ['read'] })`,
 * and behind each peer. Every server is warmed up first; then the variants are measured in turn, round
 * after round, in alternating order (A B C, C B A, ...). Medians of the rounds are reported, and every
 * ratio is the median of the ratios taken within each round, which dampens the drift of a busy 2-core
 * machine.
 */
import { KeyObject, type webcrypto } from "node:crypto";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { median } from "./lib/harness.js";
import { type LoadResult, runLoad, type TokenMode, type Tokens } from "./lib/load.js";
import { type ServerProcess, startServer } from "./lib/servers.js";
import { formatCount, formatDelta, formatMs, formatRatio, markdownTable } from "./lib/table.js";
import { ROUTE } from "./servers/shared.js";
import { type Framework, variantsOf } from "./servers/variants.js";

export const TOKEN_MODES: readonly TokenMode[] = ["repeated", "pool"];

export interface HttpOptions {
	/** Seconds of each measured run. */
	readonly seconds: number;
	/** Seconds of load before each measured run, not recorded. */
	readonly warmupSeconds: number;
	/** Seconds of load on every server, in each token mode, before the first round. */
	readonly initialWarmupSeconds: number;
	/** Measured runs of every variant and token mode; the median is reported. */
	readonly rounds: number;
	/** Distinct tokens in pool mode (more than the token caches hold, so every request misses). */
	readonly poolSize: number;
	readonly frameworks: readonly Framework[];
}

export interface HttpResult {
	readonly framework: Framework;
	readonly variant: string;
	readonly mode: TokenMode;
	/** Median over the rounds. */
	readonly requestsPerSec: number;
	/** Median over the rounds. */
	readonly p99Ms: number;
	/**
	 * Median over the rounds of the server's CPU time (all threads) per request: unlike req/s, it hardly
	 * moves when other processes compete for the cores.
	 */
	readonly cpuMicrosPerRequest: number;
	/** cpuMicrosPerRequest minus that of the same framework without auth: what the auth costs a request. */
	readonly authCpuMicrosPerRequest: number;
	/** Failed requests over every round (must be 0 for the numbers to mean anything). */
	readonly failures: number;
	/** The median over the rounds of req/s divided by that of the same framework without auth, same round and token mode. */
	readonly ratioToBaseline: number;
	/** For a peer: the median over the rounds of our req/s divided by the peer's, same round, framework and token mode. */
	readonly oursOverPeer: number | undefined;
	readonly rounds: readonly (LoadResult & { readonly cpuMicrosPerRequest: number })[];
}

/** Tokens with `read` (repeated and pool), and one without it (to see each server answer 403). */
export interface BenchTokens extends Tokens {
	readonly withoutRead: string;
}

export async function mintTokens(issuer: TestIssuer, poolSize: number): Promise<BenchTokens> {
	const started = Date.now();
	const pool: string[] = [];
	// In batches: jose signs through WebCrypto, which runs on the thread pool, so batches use both cores.
	while (pool.length < poolSize) {
		const batch = Math.min(200, poolSize - pool.length);
		pool.push(...(await Promise.all(Array.from({ length: batch }, () => issuer.sign(TOKEN_CLAIMS)))));
	}
	const repeated = await issuer.sign(TOKEN_CLAIMS);
	const withoutRead = await issuer.sign({ ...TOKEN_CLAIMS, scope: "write", permissions: ["write"] });
	process.stderr.write(
		`  http: minted ${formatCount(poolSize)} RS256 tokens (${repeated.length} bytes each) in ${Date.now() - started} ms\n`,
	);
	return { repeated, pool, withoutRead };
}

/** What the servers read: ours from BEARERGUARD_*, the peers from BENCH_*. */
export function serverEnvironment(issuer: TestIssuer): Record<string, string> {
	const publicKey = KeyObject.from(issuer.publicKey("RS256") as webcrypto.CryptoKey);
	return {
		BEARERGUARD_ISSUER: issuer.issuer,
		BEARERGUARD_AUDIENCE: issuer.audience,
		BENCH_ISSUER: issuer.issuer,
		BENCH_AUDIENCE: issuer.audience,
		BENCH_JWKS_URI: issuer.jwksUri,
		BENCH_PUBLIC_KEY_PEM: publicKey.export({ type: "spki", format: "pem" }).toString(),
	};
}

/**
 * Before any timing, each server must answer as configured: 200 with a token, and when protected,
 * 401 without one and 403 without the permission. This also fetches the JWKS (warm start).
 */
export async function checkServer(
	server: ServerProcess,
	variant: string,
	tokens: BenchTokens,
): Promise<void> {
	const url = `http://127.0.0.1:${server.port}${ROUTE}`;
	const status = async (token?: string) =>
		(await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
	// "no-op guard" and "no-op middleware" let everything through: they measure the framework alone.
	const protectedRoute = variant !== "none" && !variant.startsWith("no-op");
	const expected = [200, 200, protectedRoute ? 401 : 200, protectedRoute ? 403 : 200];
	const actual = [
		await status(tokens.repeated),
		await status(tokens.pool[0]),
		await status(),
		await status(tokens.withoutRead),
	];
	if (actual.join() !== expected.join()) {
		throw new Error(
			`bench: ${server.label} answered ${actual.join("/")} instead of ${expected.join("/")} (token, pool token, none, without read)`,
		);
	}
}

interface Run {
	readonly variant: string;
	readonly mode: TokenMode;
	readonly round: number;
	readonly result: LoadResult;
	/** The server's CPU time (every thread) over the run, per request answered. */
	readonly cpuMicrosPerRequest: number;
}

async function runFramework(
	framework: Framework,
	env: Record<string, string>,
	tokens: BenchTokens,
	options: HttpOptions,
): Promise<Run[]> {
	const servers: ServerProcess[] = [];
	const runs: Run[] = [];
	try {
		for (const variant of variantsOf(framework)) {
			const server = await startServer(framework, variant, env);
			servers.push(server);
			await checkServer(server, variant, tokens);
		}
		// A server's first seconds run colder code than its later ones: warm every server up, in both
		// token modes, before the first measured round.
		for (const server of servers) {
			for (const mode of TOKEN_MODES) {
				await runLoad(`http://127.0.0.1:${server.port}${ROUTE}`, tokens, mode, options.initialWarmupSeconds);
			}
		}
		for (let round = 1; round <= options.rounds; round++) {
			// A B C, then C B A: a drift of the machine within a round favours no variant over the rounds.
			const order = [...servers.keys()];
			if (round % 2 === 0) order.reverse();
			for (const mode of TOKEN_MODES) {
				for (const index of order) {
					const server = servers[index] as ServerProcess;
					const variant = variantsOf(framework)[index] as string;
					const url = `http://127.0.0.1:${server.port}${ROUTE}`;
					await runLoad(url, tokens, mode, options.warmupSeconds);
					const cpuBefore = await server.cpuMicros();
					const result = await runLoad(url, tokens, mode, options.seconds);
					const cpuMicrosPerRequest = ((await server.cpuMicros()) - cpuBefore) / result.total;
					runs.push({ variant, mode, round, result, cpuMicrosPerRequest });
					process.stderr.write(
						`  http ${framework} ${variant} ${mode} round ${round}: ${formatCount(result.requestsPerSec)} req/s, p99 ${result.p99Ms} ms, ${cpuMicrosPerRequest.toFixed(1)} µs CPU/req${result.failures ? `, ${result.failures} FAILED` : ""}\n`,
					);
				}
			}
		}
	} finally {
		await Promise.all(servers.map((server) => server.stop()));
	}
	return runs;
}

/** The median over the rounds of `a / b`, each ratio taken within one round. */
function ratioByRound(a: readonly LoadResult[], b: readonly LoadResult[]): number {
	return median(a.map((run, index) => run.requestsPerSec / (b[index] as LoadResult).requestsPerSec));
}

/** Medians per framework, variant and mode, and the ratios between them, each taken within a round. */
function summarize(framework: Framework, runs: readonly Run[]): HttpResult[] {
	const results: HttpResult[] = [];
	for (const mode of TOKEN_MODES) {
		const cell = (variant: string) => {
			const own = runs
				.filter((run) => run.variant === variant && run.mode === mode)
				.sort((x, y) => x.round - y.round);
			const rounds = own.map((run) => ({ ...run.result, cpuMicrosPerRequest: run.cpuMicrosPerRequest }));
			return {
				rounds,
				requestsPerSec: median(rounds.map((round) => round.requestsPerSec)),
				p99Ms: median(rounds.map((round) => round.p99Ms)),
				cpuMicrosPerRequest: median(rounds.map((round) => round.cpuMicrosPerRequest)),
				failures: rounds.reduce((sum, round) => sum + round.failures, 0),
			};
		};
		const baseline = cell("none");
		const ours = cell("bearerguard");
		for (const variant of variantsOf(framework)) {
			const measured = cell(variant);
			// For the subscribed variant, "bearerguard ÷ peer" is what the subscriber costs: ours without it ÷ with it.
			const isPeer = variant !== "none" && variant !== "bearerguard";
			results.push({
				framework,
				variant,
				mode,
				...measured,
				ratioToBaseline: ratioByRound(measured.rounds, baseline.rounds),
				authCpuMicrosPerRequest: measured.cpuMicrosPerRequest - baseline.cpuMicrosPerRequest,
				oursOverPeer: isPeer ? ratioByRound(ours.rounds, measured.rounds) : undefined,
			});
		}
	}
	return results;
}

/** Runs every framework in turn; each framework's servers are stopped before the next starts. */
export async function runHttp(options: HttpOptions): Promise<HttpResult[]> {
	const issuer = await createTestIssuer();
	try {
		const tokens = await mintTokens(issuer, options.poolSize);
		const env = serverEnvironment(issuer);
		const results: HttpResult[] = [];
		for (const framework of options.frameworks) {
			results.push(...summarize(framework, await runFramework(framework, env, tokens, options)));
		}
		return results;
	} finally {
		await issuer.close();
	}
}

const MODE_LABEL: Record<TokenMode, string> = {
	repeated: "one repeated token",
	pool: "distinct tokens (pool)",
};

export function httpTable(results: readonly HttpResult[], poolSize: number): string {
	const rows = results.map((result) => [
		result.framework,
		result.variant === "none" ? "no auth (baseline)" : result.variant,
		result.mode === "pool"
			? `${MODE_LABEL.pool.replace("pool", formatCount(poolSize))}`
			: MODE_LABEL.repeated,
		formatCount(result.requestsPerSec),
		formatMs(result.p99Ms),
		result.cpuMicrosPerRequest.toFixed(1),
		result.variant === "none" ? "" : formatDelta(result.authCpuMicrosPerRequest),
		formatRatio(result.ratioToBaseline),
		result.oursOverPeer === undefined ? "" : formatRatio(result.oursOverPeer),
		result.failures === 0 ? "0" : `${result.failures} (spoilt)`,
	]);
	return markdownTable(
		[
			"framework",
			"variant",
			"tokens",
			"req/s",
			"p99 ms",
			"server CPU µs/req",
			"auth CPU µs/req",
			"req/s × no auth",
			"bearerguard ÷ peer",
			"failed requests",
		],
		rows,
	);
}
