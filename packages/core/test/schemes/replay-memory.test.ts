/**
 * The in-memory replay store: a key is claimed once until it expires, and the store is bounded: full of
 * live keys it throws (the request gets a 503) rather than forget one. `Date` is frozen and moved.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryReplayStore } from "../../src/index.js";
import { advanceClock, freezeClock, T0, unfreezeClock } from "../support/refusals.js";

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

describe("createMemoryReplayStore", () => {
	beforeEach(() => freezeClock());
	afterEach(() => unfreezeClock());

	it("claims a key the first time only", () => {
		const store = createMemoryReplayStore();
		expect(store.claim("k", inSeconds(60))).toBe(true);
		expect(store.claim("k", inSeconds(60))).toBe(false);
		expect(store.claim("k", inSeconds(600))).toBe(false);
		expect(store.claim("other", inSeconds(60))).toBe(true);
		expect(store.size).toBe(2);
	});

	it("frees a key once it expires, not before", () => {
		const store = createMemoryReplayStore();
		expect(store.claim("k", inSeconds(60))).toBe(true);
		advanceClock(59.999);
		expect(store.claim("k", inSeconds(60))).toBe(false);
		advanceClock(0.001);
		// At its expiry the key is free again (the proof itself is too old by then).
		expect(store.claim("k", inSeconds(60))).toBe(true);
		expect(store.claim("k", inSeconds(60))).toBe(false);
		expect(store.size).toBe(1);
	});

	it("checks its max", () => {
		for (const max of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(() => createMemoryReplayStore({ max })).toThrow(
				new TypeError("bearerguard: replay store max must be a whole number >= 1."),
			);
		}
		expect(createMemoryReplayStore({ max: 1 }).claim("k", inSeconds(1))).toBe(true);
	});

	it("holds at most max keys: 10,000 distinct proofs into max 1000 throw once it is full of live keys", () => {
		const store = createMemoryReplayStore({ max: 1000 });
		let claimed = 0;
		let refused = 0;
		for (let i = 0; i < 10_000; i++) {
			try {
				expect(store.claim(`jti-${i}`, inSeconds(300))).toBe(true);
				claimed++;
			} catch (error) {
				expect((error as Error).message).toBe("the in-memory DPoP replay store holds 1000 live proofs");
				refused++;
			}
			expect(store.size).toBeLessThanOrEqual(1000);
		}
		expect({ claimed, refused, size: store.size }).toEqual({ claimed: 1000, refused: 9000, size: 1000 });
		// Full, it still knows what it holds: a replay is still refused, not thrown.
		expect(store.claim("jti-0", inSeconds(300))).toBe(false);
		expect(store.claim("jti-999", inSeconds(300))).toBe(false);
	});

	it("sweeps expired keys when full, so it takes new ones again", () => {
		const store = createMemoryReplayStore({ max: 1000 });
		for (let i = 0; i < 1000; i++) store.claim(`old-${i}`, inSeconds(i < 600 ? 10 : 300));
		expect(() => store.claim("new-0", inSeconds(300))).toThrow();
		// 10 s later 600 have expired; the sweep runs at most once a second, and this is 10 s later.
		advanceClock(10);
		expect(store.claim("new-0", inSeconds(300))).toBe(true);
		expect(store.size).toBe(401);
		for (let i = 1; i < 600; i++) expect(store.claim(`new-${i}`, inSeconds(300))).toBe(true);
		expect(store.size).toBe(1000);
		expect(() => store.claim("new-600", inSeconds(300))).toThrow();
		// The live old ones are still refused.
		expect(store.claim("old-999", inSeconds(300))).toBe(false);
	});

	it("sweeps at most once a second, even when full", () => {
		const store = createMemoryReplayStore({ max: 2 });
		expect(store.claim("a", inSeconds(0.5))).toBe(true);
		expect(store.claim("b", inSeconds(300))).toBe(true);
		// Swept now (nothing expired): full.
		expect(() => store.claim("c", inSeconds(300))).toThrow();
		advanceClock(0.6);
		// "a" has expired, but the last sweep was 0.6 s ago: still full.
		expect(() => store.claim("c", inSeconds(300))).toThrow();
		advanceClock(0.4);
		expect(store.claim("c", inSeconds(300))).toBe(true);
		expect(store.size).toBe(2);
		expect(Date.now()).toBe(T0 + 1000);
	});

	it("takes an expired key's place for the same key without a sweep", () => {
		const store = createMemoryReplayStore({ max: 1 });
		expect(store.claim("a", inSeconds(1))).toBe(true);
		advanceClock(1);
		expect(store.claim("a", inSeconds(1))).toBe(true);
		expect(store.size).toBe(1);
	});
});
