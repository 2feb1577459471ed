import { describe, expect, it } from "vitest";
import { ADAPTERS } from "../support/apps.js";
import { type LoadResult, runLoad, tableOf } from "./support/load-runner.js";

/**
 * CI-sized load: 20,000 requests per adapter over keep-alive loopback with 50 in flight, half valid
 * tokens and half unique forged tokens naming unknown kids. No crash, no 500, no network error,
 * resident memory that stops growing, JWKS fetches bounded by the cooldown. `scripts/load.ts` runs
 * the same with a million requests per adapter.
 */

const REQUESTS = Number(process.env.BEARERGUARD_LOAD_REQUESTS ?? 20_000);

describe(`load: ${REQUESTS} requests per adapter, 50 concurrent, half forged`, () => {
	let results: LoadResult[] = [];

	it("runs against every adapter", async () => {
		results = await runLoad({ requests: REQUESTS, concurrency: 50 });
		console.table(tableOf(results));
		expect(results.map((result) => result.adapter)).toEqual([...ADAPTERS]);
	}, 120_000);

	it.each(ADAPTERS)("%s: every valid token got 200 and every forged one 401; nothing else", (adapter) => {
		const result = results.find((candidate) => candidate.adapter === adapter);
		expect(result?.statuses).toEqual({ "200": REQUESTS / 2, "401": REQUESTS / 2 });
	});

	it.each(ADAPTERS)(
		"%s: memory stops growing (heap retained after the 2nd half ≤ after the 1st + 8 MiB; RSS under 1 GiB)",
		(adapter) => {
			const result = results.find((candidate) => candidate.adapter === adapter) as LoadResult;
			// Every cache is full after the first half: a leak of even 1 KiB per request would add 10 MiB.
			expect(result.retainedSecondHalfMiB).toBeLessThanOrEqual(result.retainedFirstHalfMiB + 8);
			expect(result.peakRssMiB).toBeLessThan(1024);
		},
	);

	it.each(ADAPTERS)("%s: JWKS fetches stay within one per 30 s cooldown despite unknown kids", (adapter) => {
		const result = results.find((candidate) => candidate.adapter === adapter) as LoadResult;
		expect(result.jwksFetches).toBeLessThanOrEqual(result.jwksFetchBound);
	});
});
