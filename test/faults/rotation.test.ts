import { afterEach, describe, expect, it } from "vitest";
import { type FaultyIssuer, rsaKey, startFaultyIssuer } from "./support/faulty-issuer.js";
import {
	BOUND_MS,
	createSubject,
	faultOptions,
	type Subject,
	sleep,
	unauthorized,
} from "./support/subjects.js";

/**
 * Key rotation while requests are in flight: the issuer publishes a new key (and its JWKS answers
 * slowly, 300 ms) while tokens of the old and the new key arrive together; then it retires the old key.
 */

const DELAY_MS = 300;

let issuer: FaultyIssuer | undefined;
let subject: Subject | undefined;

afterEach(async () => {
	await subject?.close();
	await issuer?.close();
});

describe.each(["core", "fastify"] as const)("%s", (kind) => {
	it("new key: 40 concurrent requests (old and new kid) all pass with one shared refetch; the retired key then fails", async () => {
		issuer = await startFaultyIssuer();
		subject = await createSubject(kind, faultOptions(issuer, { cacheMaxAge: "2s" }));
		const oldKey = rsaKey("k1");
		const newKey = rsaKey("k2", { slot: 1 });
		issuer.keys = [oldKey];
		expect(await subject.check(issuer.sign(oldKey))).toMatchObject({ status: 200 });
		await sleep(600); // past the cooldown, so that the new kid may refetch

		// Rotation: the new key is published next to the old one; the JWKS now takes 300 ms.
		issuer.keys = [newKey, oldKey];
		issuer.delayMs = DELAY_MS;
		const tokens = Array.from({ length: 40 }, (_, i) => ({
			kid: i % 2 === 0 ? "k2" : "k1",
			token: issuer!.sign(i % 2 === 0 ? newKey : oldKey),
		}));
		const outcomes = await Promise.all(
			tokens.map(async ({ kid, token }) => ({ kid, ...(await subject!.check(token)) })),
		);
		for (const outcome of outcomes) {
			expect(outcome).toMatchObject({ status: 200 });
			expect(outcome.ms).toBeLessThan(DELAY_MS + BOUND_MS);
		}
		const slowest = (kid: string) => Math.max(...outcomes.filter((o) => o.kid === kid).map((o) => o.ms));
		expect(slowest("k2")).toBeGreaterThanOrEqual(DELAY_MS - 50); // the new kid waited for the one refetch
		expect(subject.fetches()).toBe(2);
		expect(issuer.requests.jwks).toBe(2);

		// Retirement: the old key leaves the JWKS. It keeps verifying until the cache is refreshed
		// (cacheMaxAge 2 s; the first request after it is answered from the old set while refreshing).
		issuer.keys = [newKey];
		issuer.delayMs = 0;
		expect(await subject.check(issuer.sign(oldKey))).toMatchObject({ status: 200 });
		await sleep(2100);
		expect(await subject.check(issuer.sign(newKey))).toMatchObject({ status: 200 }); // starts the refresh
		await sleep(100);
		const retired = await subject.check(issuer.sign(oldKey));
		expect(retired).toMatchObject(unauthorized("Token signing key is unknown"));
		expect(retired.ms).toBeLessThan(BOUND_MS);
		expect(await subject.check(issuer.sign(newKey))).toMatchObject({ status: 200 });
		expect(subject.fetches()).toBe(3);
	});
});
