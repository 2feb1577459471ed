import { afterEach, describe, expect, it } from "vitest";
import { type FaultyIssuer, startFaultyIssuer } from "./support/faulty-issuer.js";
import {
	BOUND_MS,
	COOLDOWN_MS,
	createSubject,
	faultOptions,
	type Subject,
	sleep,
	UNAVAILABLE,
} from "./support/subjects.js";

/**
 * An issuer that is down: at start (nothing cached: 503 with Retry-After, at once, then 200 once it is
 * back), and after keys were cached (stale keys keep serving within staleIfError, then 503). Each step
 * asserts the answer, a hang-detector time bound (timeout + 1.5 s) and the number of fetches.
 */

let issuer: FaultyIssuer | undefined;
let subject: Subject | undefined;

afterEach(async () => {
	await subject?.close();
	await issuer?.close();
});

describe.each(["core", "express5"] as const)("%s", (kind) => {
	it("issuer down at start: 503 + Retry-After at once, no fetch per request, 200 once it is back", async () => {
		issuer = await startFaultyIssuer({ down: true });
		subject = await createSubject(kind, faultOptions(issuer, {}, true));
		const key = issuer.keys[0]!;

		const first = await subject.check(issuer.sign(key));
		expect(first).toMatchObject(UNAVAILABLE);
		expect(Number(first.retryAfter)).toBeGreaterThanOrEqual(1);
		expect(first.ms).toBeLessThan(BOUND_MS);
		expect(subject.fetches()).toBe(1);

		// Twenty more at once while it is down: all 503 without waiting, and no new fetch (error backoff).
		const burst = await Promise.all(Array.from({ length: 20 }, () => subject!.check(issuer!.sign(key))));
		for (const outcome of burst) expect(outcome).toMatchObject(UNAVAILABLE);
		expect(Math.max(...burst.map((outcome) => outcome.ms))).toBeLessThan(BOUND_MS);
		expect(subject.fetches()).toBe(1);

		await issuer.start();
		await sleep(COOLDOWN_MS + 100); // past the error backoff: min(cooldown, 5 s)
		const back = await subject.check(issuer.sign(key));
		expect(back).toMatchObject({ status: 200 });
		expect(back.ms).toBeLessThan(BOUND_MS);
		expect(subject.fetches()).toBe(2);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1 });
	});

	it("issuer down after keys were cached: stale keys serve within staleIfError, then 503, then 200 when back", async () => {
		issuer = await startFaultyIssuer();
		subject = await createSubject(kind, faultOptions(issuer, { cacheMaxAge: "1s", staleIfError: "2s" }));
		const key = issuer.keys[0]!;
		const started = Date.now();

		expect(await subject.check(issuer.sign(key))).toMatchObject({ status: 200 });
		expect(subject.fetches()).toBe(1);
		await issuer.stop();

		// Past cacheMaxAge (1 s), within cacheMaxAge + staleIfError (3 s): the cached keys keep serving.
		await sleep(1200);
		const stale = await subject.check(issuer.sign(key));
		expect(stale).toMatchObject({ status: 200 });
		expect(stale.ms).toBeLessThan(BOUND_MS);
		await sleep(900);
		expect(await subject.check(issuer.sign(key))).toMatchObject({ status: 200 });
		const duringStale = subject.fetches();
		expect(duringStale).toBeGreaterThanOrEqual(2); // background refreshes were tried...
		expect(duringStale).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / COOLDOWN_MS)); // ...once per backoff

		// Past 3 s: the keys are too old to trust.
		await sleep(Math.max(0, 3200 - (Date.now() - started)));
		const expired = await subject.check(issuer.sign(key));
		expect(expired).toMatchObject(UNAVAILABLE);
		expect(expired.ms).toBeLessThan(BOUND_MS);

		await issuer.start();
		await sleep(COOLDOWN_MS + 100);
		expect(await subject.check(issuer.sign(key))).toMatchObject({ status: 200 });
		expect(subject.fetches()).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / COOLDOWN_MS));
		expect(issuer.requests.jwks).toBe(2); // the first fetch and the one after it came back
	});
});
