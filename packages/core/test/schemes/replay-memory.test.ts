/**
 * The in-memory replay store: a key is claimed once until it expires, and the store is bounded: full, it
 * forgets its oldest key and refuses every claim whose window does not end after the forgotten one's
 * (its horizon), so no forgotten proof can be replayed. `Date` is frozen and moved.
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

	it("holds at most max keys: 10,000 distinct proofs into max 1000, every forgotten one still refused", () => {
		const store = createMemoryReplayStore({ max: 1000 });
		// Proofs made one millisecond apart, each with a 300 s window, claimed in order.
		const windowOf = (i: number) => new Date(T0 + i + 300_000);
		for (let i = 0; i < 10_000; i++) {
			expect(store.claim(`jti-${i}`, windowOf(i))).toBe(true);
			expect(store.size).toBeLessThanOrEqual(1000);
		}
		expect(store.size).toBe(1000);
		// The 9,000 it forgot: each refused, by the horizon (the last forgotten window ends at 8,999).
		expect(store.horizon).toBe(T0 + 8999 + 300_000);
		for (let i = 0; i < 9000; i++) expect(store.claim(`jti-${i}`, windowOf(i))).toBe(false);
		// The 1,000 it holds: refused as held.
		for (let i = 9000; i < 10_000; i++) expect(store.claim(`jti-${i}`, windowOf(i))).toBe(false);
		// A fresh proof (a window ending later) is taken.
		expect(store.claim("fresh", windowOf(10_000))).toBe(true);
		expect(store.size).toBe(1000);
	});

	it("refuses a claim whose window ends no later than the horizon, even a key it never saw", () => {
		const store = createMemoryReplayStore({ max: 2 });
		expect(store.claim("a", inSeconds(100))).toBe(true);
		expect(store.claim("b", inSeconds(200))).toBe(true);
		expect(store.horizon).toBe(0);
		// Full: "a" is forgotten, the horizon moves to its window's end.
		expect(store.claim("c", inSeconds(300))).toBe(true);
		expect(store.horizon).toBe(T0 + 100_000);
		expect(store.claim("a", inSeconds(100))).toBe(false);
		expect(store.claim("never-seen", inSeconds(100))).toBe(false);
		expect(store.claim("never-seen", inSeconds(99))).toBe(false);
		// Full, a claim whose window ends before the oldest held one's is refused, and nothing is forgotten.
		expect(store.claim("d", inSeconds(150))).toBe(false);
		expect(store.horizon).toBe(T0 + 100_000);
		expect(store.claim("b", inSeconds(200))).toBe(false);
		// A newer one forgets "b": the horizon moves to its end.
		expect(store.claim("e", inSeconds(400))).toBe(true);
		expect(store.horizon).toBe(T0 + 200_000);
		expect(store.claim("b", inSeconds(200))).toBe(false);
		expect(store.size).toBe(2);
	});

	it("forgets expired keys first only by age of claim: an expired key at the front goes without moving the horizon past now", () => {
		const store = createMemoryReplayStore({ max: 2 });
		expect(store.claim("a", inSeconds(1))).toBe(true);
		expect(store.claim("b", inSeconds(300))).toBe(true);
		advanceClock(2);
		expect(store.claim("c", inSeconds(300))).toBe(true);
		// "a" had expired: the horizon is its end, already in the past, so fresh proofs are unaffected.
		expect(store.horizon).toBe(T0 + 1000);
		expect(store.claim("b", inSeconds(298))).toBe(false);
		// The next claim forgets "b" (live): the horizon moves to its end, and "b" stays refused.
		expect(store.claim("d", inSeconds(400))).toBe(true);
		expect(store.horizon).toBe(T0 + 300_000);
		expect(store.claim("b", inSeconds(298))).toBe(false);
	});

	it("takes an expired key's place for the same key without a sweep", () => {
		const store = createMemoryReplayStore({ max: 1 });
		expect(store.claim("a", inSeconds(1))).toBe(true);
		advanceClock(1);
		expect(store.claim("a", inSeconds(1))).toBe(true);
		expect(store.size).toBe(1);
	});
});
