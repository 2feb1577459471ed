import { afterEach, describe, expect, it } from "vitest";
import { type FaultyIssuer, startFaultyIssuer } from "./support/faulty-issuer.js";
import {
	BOUND_MS,
	COOLDOWN_MS,
	createSubject,
	faultOptions,
	type Subject,
	sleep,
	TIMEOUT_MS,
	UNAVAILABLE,
	unauthorized,
} from "./support/subjects.js";

/**
 * An issuer that hangs (accepts, never answers) or drips a byte a second: the fetch timeout covers
 * the body too, concurrent requests share one fetch, and with keys cached nobody waits for it.
 */

let issuer: FaultyIssuer | undefined;
let subject: Subject | undefined;

afterEach(async () => {
	await subject?.close();
	await issuer?.close();
});

describe.each(["core", "koa"] as const)("%s", (kind) => {
	it("hangs: 20 concurrent requests share one fetch and all get the 503 after the 500 ms timeout", async () => {
		issuer = await startFaultyIssuer();
		issuer.fault = "hang";
		subject = await createSubject(kind, faultOptions(issuer));
		const key = issuer.keys[0]!;
		const outcomes = await Promise.all(Array.from({ length: 20 }, () => subject!.check(issuer!.sign(key))));
		for (const outcome of outcomes) {
			expect(outcome).toMatchObject(UNAVAILABLE);
			expect(outcome.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
			expect(outcome.ms).toBeLessThan(BOUND_MS);
		}
		expect(subject.fetches()).toBe(1);
		expect(issuer.requests.jwks).toBe(1);
	});

	it("hangs after keys were cached: requests are answered from the cache without waiting for the refresh", async () => {
		issuer = await startFaultyIssuer();
		subject = await createSubject(kind, faultOptions(issuer, { cacheMaxAge: "1s" }));
		const key = issuer.keys[0]!;
		expect(await subject.check(issuer.sign(key))).toMatchObject({ status: 200 });
		issuer.fault = "hang";
		await sleep(1100);
		const outcomes = await Promise.all(Array.from({ length: 10 }, () => subject!.check(issuer!.sign(key))));
		for (const outcome of outcomes) {
			expect(outcome).toMatchObject({ status: 200 });
			expect(outcome.ms).toBeLessThan(TIMEOUT_MS); // nobody waited for the hanging refresh
		}
		expect(subject.fetches()).toBe(2); // the first fetch, and one background refresh
	});

	it("hangs while a token names an unknown kid: the refetch times out, 401 within the bound", async () => {
		issuer = await startFaultyIssuer();
		subject = await createSubject(kind, faultOptions(issuer));
		const [known] = issuer.keys;
		expect(await subject.check(issuer.sign(known!))).toMatchObject({ status: 200 });
		await sleep(COOLDOWN_MS + 100); // an unknown kid may refetch again
		issuer.fault = "hang";
		const stranger = { ...known!, kid: "rotated-in" };
		const outcome = await subject.check(issuer.sign(stranger));
		expect(outcome).toMatchObject(unauthorized("Token signing key is unknown"));
		expect(outcome.ms).toBeLessThan(BOUND_MS);
		expect(subject.fetches()).toBe(2);
	});

	it("drips a byte a second: the timeout covers the body, 503 after 1.5 s", async () => {
		issuer = await startFaultyIssuer();
		issuer.fault = "drip";
		subject = await createSubject(kind, faultOptions(issuer, { timeout: "1500ms" }));
		const outcome = await subject.check(issuer.sign(issuer.keys[0]!));
		expect(outcome).toMatchObject(UNAVAILABLE);
		expect(outcome.ms).toBeGreaterThanOrEqual(1400);
		expect(outcome.ms).toBeLessThan(1500 + 1500);
		expect(subject.fetches()).toBe(1);
	});
});
