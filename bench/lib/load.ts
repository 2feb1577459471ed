import autocannon from "autocannon";

/** One repeated token, or a pool of distinct tokens sent in turn (every request a cache miss). */
export type TokenMode = "repeated" | "pool";

export interface Tokens {
	readonly repeated: string;
	readonly pool: readonly string[];
}

/** One autocannon run. */
export interface LoadResult {
	/** Mean of the per-second request counts. */
	readonly requestsPerSec: number;
	readonly p99Ms: number;
	readonly meanLatencyMs: number;
	readonly total: number;
	/** Responses that were not 2xx, plus socket errors and timeouts: any of them spoils the run. */
	readonly failures: number;
}

export const CONNECTIONS = 50;

/** Where the pool's rotation stands; it carries on from run to run. */
let nextInPool = 0;

/**
 * Loads `url` with `CONNECTIONS` connections for `seconds`. Every request carries
 * `Authorization: Bearer <token>`, on the baseline too (it ignores it), so the client does the same
 * work for every variant: in pool mode it rebuilds each request with the pool's next token.
 */
export async function runLoad(
	url: string,
	tokens: Tokens,
	mode: TokenMode,
	seconds: number,
): Promise<LoadResult> {
	const { pool } = tokens;
	const options: autocannon.Options =
		mode === "repeated"
			? {
					url,
					connections: CONNECTIONS,
					duration: seconds,
					headers: { authorization: `Bearer ${tokens.repeated}` },
				}
			: {
					url,
					connections: CONNECTIONS,
					duration: seconds,
					requests: [
						{
							method: "GET",
							setupRequest: (request) => ({
								...request,
								headers: { authorization: `Bearer ${pool[nextInPool++ % pool.length]}` },
							}),
						},
					],
				};
	const result = await autocannon(options);
	return {
		requestsPerSec: result.requests.average,
		p99Ms: result.latency.p99,
		meanLatencyMs: result.latency.average,
		total: result.requests.total,
		failures: result.non2xx + result.errors + result.timeouts,
	};
}
