import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRevocationList, type RevocationList, RevocationUnavailableError } from "../src/index.js";
import { nowSeconds, type Verified, verifiedTokens, waitFor } from "./support/issuer.js";
import {
	canRun,
	connectClient,
	DRIVERS,
	rawClient,
	type TestClient,
	type TestRedis,
	testRedis,
} from "./support/redis.js";

const run = canRun("any", "revocation-list.test.ts");

describe.skipIf(!run)("createRevocationList, two instances on one Redis", () => {
	let redis: TestRedis;
	let tokens: Verified;
	const clients: TestClient[] = [];
	const lists: RevocationList[] = [];

	beforeAll(async () => {
		redis = await testRedis();
		tokens = await verifiedTokens();
	});
	afterAll(async () => {
		await Promise.all(lists.map((list) => list.close()));
		for (const client of clients) client.close();
		await tokens?.close();
		await redis?.close();
	});

	async function instance(driver: (typeof DRIVERS)[number], prefix: string, options = {}) {
		const client = await connectClient(redis.url, driver);
		clients.push(client);
		const list = await createRevocationList(client.client, { prefix, ...options });
		lists.push(list);
		return list;
	}

	describe.each(DRIVERS)("with %s", (driver) => {
		let a: RevocationList;
		let b: RevocationList;
		let prefix: string;

		beforeAll(async () => {
			prefix = `${redis.prefix}${driver}:`;
			a = await instance(driver, prefix);
			b = await instance(driver, prefix);
		});

		it("refuses a token revoked on the other instance within 100 ms (250 asserted), and at once on its own", async () => {
			const auth = await tokens.auth();
			const other = await tokens.auth();
			expect(a.isRevoked(auth)).toBe(false);
			expect(b.isRevoked(auth)).toBe(false);
			await a.revoke(auth.claims);
			expect(a.isRevoked(auth)).toBe(true);
			const elapsed = await waitFor(() => b.isRevoked(auth), 1000);
			// The contract's 100 ms, with margin for a loaded 2-core machine (typically 1–5 ms here).
			expect(elapsed).toBeLessThan(250);
			expect(b.isRevoked(other)).toBe(false);
			expect(a.status()).toMatchObject({ state: "current", answering: true, reloads: 1 });
			expect(b.status().entries.tokens).toBeGreaterThanOrEqual(1);
		});

		it("revokes a subject's tokens issued before the cut-off, and none issued after", async () => {
			const now = nowSeconds();
			const sub = `user_${randomUUID()}`;
			const old = await tokens.auth({ sub, iat: now - 120 });
			const sameSecondAsCutOff = await tokens.auth({ sub, iat: now - 60 });
			const fresh = await tokens.auth({ sub, iat: now - 59 });
			const noIat = await tokens.auth({ sub, iat: undefined });
			const someoneElse = await tokens.auth({ sub: `user_${randomUUID()}`, iat: now - 120 });
			// A cut-off half a second into second now - 60: iat is whole seconds, so that second counts as before.
			await b.revokeSubject(sub, { before: new Date((now - 60) * 1000 + 500) });
			await waitFor(() => a.isRevoked(old));
			for (const list of [a, b]) {
				expect(list.isRevoked(old)).toBe(true);
				expect(list.isRevoked(sameSecondAsCutOff)).toBe(true);
				expect(list.isRevoked(fresh)).toBe(false);
				expect(list.isRevoked(noIat)).toBe(true);
				expect(list.isRevoked(someoneElse)).toBe(false);
			}
		});

		it("a later cut-off replaces an earlier one; an earlier one changes nothing", async () => {
			const now = nowSeconds();
			const sub = `user_${randomUUID()}`;
			const t100 = await tokens.auth({ sub, iat: now - 100 });
			const t50 = await tokens.auth({ sub, iat: now - 50 });
			await a.revokeSubject(sub, { before: new Date((now - 75) * 1000) });
			await waitFor(() => b.isRevoked(t100));
			expect(b.isRevoked(t50)).toBe(false);
			await a.revokeSubject(sub, { before: new Date((now - 25) * 1000) });
			await waitFor(() => b.isRevoked(t50));
			await a.revokeSubject(sub, { before: new Date((now - 200) * 1000) });
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect([a.isRevoked(t100), a.isRevoked(t50), b.isRevoked(t100), b.isRevoked(t50)]).toEqual([
				true,
				true,
				true,
				true,
			]);
		});

		it("revokes a client's tokens by client_id, else azp", async () => {
			const now = nowSeconds();
			const clientId = `client_${randomUUID()}`;
			const byClientId = await tokens.auth({ client_id: clientId, iat: now - 10 });
			const byAzp = await tokens.auth({ azp: clientId, iat: now - 10 });
			const otherClientIdSameAzp = await tokens.auth({
				client_id: "client_other",
				azp: clientId,
				iat: now - 10,
			});
			const after = await tokens.auth({ client_id: clientId, iat: now + 5 });
			await a.revokeClient(clientId, { before: new Date(now * 1000) });
			await waitFor(() => b.isRevoked(byClientId));
			expect(b.isRevoked(byAzp)).toBe(true);
			expect(b.isRevoked(otherClientIdSameAzp)).toBe(false);
			expect(b.isRevoked(after)).toBe(false);
		});

		it("a new instance loads every live revocation at start", async () => {
			const auth = await tokens.auth();
			const sub = `user_${randomUUID()}`;
			const subjects = await tokens.auth({ sub, iat: nowSeconds() - 10 });
			await a.revoke(auth.claims);
			await a.revokeSubject(sub, { before: new Date() });
			const c = await instance(driver, prefix);
			expect(c.isRevoked(auth)).toBe(true);
			expect(c.isRevoked(subjects)).toBe(true);
			expect(c.status()).toMatchObject({ state: "current", reloads: 1, lastError: undefined });
		});

		it("rejects a revocation it cannot store with a TypeError that says what to pass", async () => {
			await expect(a.revoke({})).rejects.toThrow(
				new TypeError(
					"@bearerguard/redis: revoke(): jti (a token without one can be revoked through its subject) must be a non-empty string of at most 8192 characters.",
				),
			);
			await expect(a.revoke({ jti: "x", exp: Number.NaN })).rejects.toThrow(
				"revoke(): exp must be the token's exp, Unix time in seconds, or left out for a token without one.",
			);
			await expect(a.revokeSubject("", { before: new Date() })).rejects.toThrow(
				"revokeSubject(): the subject must be a non-empty string",
			);
			await expect(a.revokeClient("c", { before: new Date(Number.NaN) })).rejects.toThrow(
				"revokeClient() needs { before: Date }: tokens issued before it are revoked.",
			);
			await expect(
				// @ts-expect-error: before is required
				a.revokeSubject("u", {}),
			).rejects.toBeInstanceOf(TypeError);
		});
	});

	it("ignores garbage published on its channel", async () => {
		const prefix = `${redis.prefix}garbage:`;
		const list = await instance("node-redis", prefix);
		const publisher = await rawClient(redis.url);
		for (const message of ["", "x", "t|", "tNaN|id", "t-5|id", "q1|id", "t1|", `t${"9".repeat(400)}|id`]) {
			await publisher.publish(`${prefix}events`, message);
		}
		const auth = await tokens.auth();
		await publisher.publish(`${prefix}events`, `t${Date.now() + 60_000}|${auth.claims.jti}`);
		await waitFor(() => list.isRevoked(auth));
		expect(list.status().entries).toEqual({ tokens: 1, subjects: 0, clients: 0 });
		publisher.destroy();
	});

	it("keeps a token without exp revoked for good, and expires the others with their exp", async () => {
		const prefix = `${redis.prefix}expiry:`;
		const list = await instance("node-redis", prefix, { clockTolerance: 0 });
		const forever = await tokens.auth({ exp: undefined });
		await list.revoke({ jti: forever.claims.jti });
		await list.revoke({ jti: "short-lived", exp: nowSeconds() + 1 });
		expect(list.status().entries.tokens).toBe(2);
		await waitFor(() => list.status().entries.tokens === 1, 4000);
		expect(list.isRevoked(forever)).toBe(true);
		// Redis follows the mirror: pruned by the instance whose entry expired.
		const client = await rawClient(redis.url);
		const key = `${prefix}tokens`;
		let held = await client.zRangeWithScores(key, 0, -1);
		for (let i = 0; i < 100 && held.length > 1; i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			held = await client.zRangeWithScores(key, 0, -1);
		}
		client.destroy();
		expect(held).toEqual([{ value: forever.claims.jti, score: Number.POSITIVE_INFINITY }]);
	});

	it("after close(), isRevoked throws and the client it was given stays open", async () => {
		const client = await connectClient(redis.url, "node-redis");
		clients.push(client);
		const list = await createRevocationList(client.client, { prefix: `${redis.prefix}close:` });
		const auth = await tokens.auth();
		await list.close();
		expect(() => list.isRevoked(auth)).toThrow(new RevocationUnavailableError("closed"));
		expect(list.status()).toMatchObject({ state: "closed", answering: false, lastCurrentAt: undefined });
		expect(await (client.client as Awaited<ReturnType<typeof rawClient>>).ping()).toBe("PONG");
		await list.close();
	});
});
