import { describe, expect, it } from "vitest";
import { type ClaimsOf, isRevokedBy, Mirror } from "../src/mirror.js";

const NOW = 1_767_225_600_000;
const seconds = (ms: number) => Math.floor(ms / 1000);
const auth = (claims: Record<string, unknown>): ClaimsOf => ({ claims });

function mirror(maxEntries = 100, maxTokenLifetimeMs = Number.POSITIVE_INFINITY): Mirror {
	return new Mirror({ maxEntries, maxTokenLifetimeMs }, NOW);
}

describe("isRevokedBy", () => {
	it("refuses a listed jti, and only that one", () => {
		const m = mirror();
		m.apply({ kind: "token", id: "jti-1", time: NOW + 60_000 }, NOW);
		expect(isRevokedBy(m, auth({ jti: "jti-1" }))).toBe(true);
		expect(isRevokedBy(m, auth({ jti: "jti-2" }))).toBe(false);
		expect(isRevokedBy(m, auth({}))).toBe(false);
		expect(isRevokedBy(m, auth({ jti: 1 }))).toBe(false);
	});

	it("a subject cut-off covers tokens whose iat is before it (the cut-off's second included), and tokens without iat", () => {
		const m = mirror();
		const before = NOW + 500; // half a second into a second
		m.apply({ kind: "subject", id: "user_1", time: before }, NOW);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: seconds(NOW) - 1 }))).toBe(true);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: seconds(NOW) }))).toBe(true);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: seconds(NOW) + 1 }))).toBe(false);
		expect(isRevokedBy(m, auth({ sub: "user_1" }))).toBe(true);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: "0" }))).toBe(true);
		expect(isRevokedBy(m, auth({ sub: "user_2", iat: seconds(NOW) - 1 }))).toBe(false);
	});

	it("a cut-off on a whole second spares tokens issued in that second", () => {
		const m = mirror();
		m.apply({ kind: "subject", id: "user_1", time: NOW }, NOW);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: seconds(NOW) }))).toBe(false);
		expect(isRevokedBy(m, auth({ sub: "user_1", iat: seconds(NOW) - 1 }))).toBe(true);
	});

	it("a client cut-off reads client_id, else azp", () => {
		const m = mirror();
		m.apply({ kind: "client", id: "app", time: NOW }, NOW);
		const old = seconds(NOW) - 10;
		expect(isRevokedBy(m, auth({ client_id: "app", iat: old }))).toBe(true);
		expect(isRevokedBy(m, auth({ azp: "app", iat: old }))).toBe(true);
		expect(isRevokedBy(m, auth({ client_id: "other", azp: "app", iat: old }))).toBe(false);
		expect(isRevokedBy(m, auth({ sub: "app", iat: old }))).toBe(false);
	});
});

describe("Mirror", () => {
	it("ignores a revocation that has expired already", () => {
		const m = mirror();
		m.apply({ kind: "token", id: "gone", time: NOW - 1 }, NOW);
		m.apply({ kind: "subject", id: "gone", time: NOW - 10_000 }, NOW);
		expect(m.counts()).toEqual({ tokens: 0, subjects: 1, clients: 0 });
		const bounded = mirror(100, 5000);
		bounded.apply({ kind: "subject", id: "gone", time: NOW - 10_000 }, NOW);
		expect(bounded.counts()).toEqual({ tokens: 0, subjects: 0, clients: 0 });
	});

	it("refuses what does not fit and says it is incomplete; a known ID still updates", () => {
		const m = mirror(2);
		m.apply({ kind: "token", id: "a", time: NOW + 1000 }, NOW);
		m.apply({ kind: "subject", id: "u", time: NOW }, NOW);
		expect([m.incomplete, m.hasRoom]).toEqual([false, false]);
		m.apply({ kind: "token", id: "a", time: NOW + 9000 }, NOW);
		expect([m.incomplete, m.tokens.times.get("a")]).toEqual([false, NOW + 9000]);
		m.apply({ kind: "client", id: "c", time: NOW }, NOW);
		expect([m.incomplete, m.overflows, m.size]).toEqual([true, 1, 2]);
		expect(m.clients.times.has("c")).toBe(false);
		m.markComplete();
		expect(m.incomplete).toBe(false);
	});

	it("sweeps every kind; cut-offs with the token lifetime", () => {
		const m = mirror(100, 60_000);
		m.apply({ kind: "token", id: "t", time: NOW + 1000 }, NOW);
		m.apply({ kind: "subject", id: "s", time: NOW }, NOW);
		m.apply({ kind: "client", id: "c", time: NOW + 30_000 }, NOW);
		expect(m.sweep(NOW + 2000)).toBe(1);
		expect(m.sweep(NOW + 61_000)).toBe(1);
		expect(m.sweep(NOW + 91_000)).toBe(1);
		expect(m.size).toBe(0);
	});
});
