/**
 * Redis failing under a live list, in one process: killed, paused, restarted empty, and one instance
 * cut off by a network partition (a TCP proxy) while the others carry on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRevocationList, type RevocationList, RevocationUnavailableError } from "../src/index.js";
import { type Verified, verifiedTokens, waitFor } from "./support/issuer.js";
import { canRun, connectClient, type DriverName, REDIS_BINARY, type TestClient } from "./support/redis.js";
import { type RedisServer, startRedisServer } from "./support/redis-server.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

const run = canRun("binary", "faults.test.ts");
const MAX_STALENESS_MS = 1000;
const HEARTBEAT_MS = MAX_STALENESS_MS / 4;
const STALE = new RevocationUnavailableError("stale");

describe.skipIf(!run).each<DriverName>(["node-redis", "ioredis"])(
	"a list on %s when Redis fails",
	(driver) => {
		let redis: RedisServer;
		let tokens: Verified;
		let cleanups: Array<() => unknown> = [];

		beforeAll(async () => {
			tokens = await verifiedTokens();
		});
		afterEach(async () => {
			for (const cleanup of cleanups.reverse()) await cleanup();
			cleanups = [];
			await redis?.stop();
		});
		afterAll(async () => {
			await tokens?.close();
		});

		async function instance(url: string, options: { failOpen?: boolean; maxStaleness?: number } = {}) {
			const client: TestClient = await connectClient(url, driver);
			const list: RevocationList = await createRevocationList(client.client, {
				maxStaleness: MAX_STALENESS_MS / 1000,
				...options,
			});
			cleanups.push(
				() => list.close(),
				() => client.close(),
			);
			return list;
		}

		it("killed: the mirror answers until maxStaleness, then 503s (failOpen answers on); restarted: current again", async () => {
			redis = await startRedisServer(REDIS_BINARY as string);
			const closed = await instance(redis.url);
			const open = await instance(redis.url, { failOpen: true });
			const revoked = await tokens.auth();
			const valid = await tokens.auth();
			await closed.revoke(revoked.claims);
			await waitFor(() => open.isRevoked(revoked));

			await redis.kill();
			const killedAt = performance.now();
			// The last heartbeat proof came at most one heartbeat before the kill.
			let staleAfter = 0;
			while (staleAfter === 0) {
				const elapsed = performance.now() - killedAt;
				try {
					expect(closed.isRevoked(revoked)).toBe(true);
					expect(closed.isRevoked(valid)).toBe(false);
				} catch (error) {
					if (!(error instanceof RevocationUnavailableError)) throw error;
					expect(error.reason).toBe("stale");
					staleAfter = elapsed;
				}
				expect([open.isRevoked(revoked), open.isRevoked(valid)]).toEqual([true, false]);
				if (elapsed > MAX_STALENESS_MS + 2000) throw new Error("never became stale");
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
			console.log(
				`[faults/${driver}] Redis killed: 503 after ${staleAfter.toFixed(0)} ms (maxStaleness 1000 ms)`,
			);
			expect(staleAfter).toBeGreaterThanOrEqual(MAX_STALENESS_MS - HEARTBEAT_MS - 50);
			expect(staleAfter).toBeLessThan(MAX_STALENESS_MS + 1000);
			expect(() => closed.isRevoked(valid)).toThrow(STALE);
			expect(closed.status()).toMatchObject({ state: "stale", answering: false });
			// Its heartbeats run on their own phase: it goes stale within one heartbeat of the other.
			await waitFor(() => open.status().state === "stale", HEARTBEAT_MS + 500);
			expect(open.status()).toMatchObject({ state: "stale", answering: true });
			expect([open.isRevoked(revoked), open.isRevoked(valid)]).toEqual([true, false]);

			// Back, empty (nothing persisted): both reload and answer again; what they held stays revoked.
			await redis.restart();
			await waitFor(() => closed.status().state === "current", 10_000);
			await waitFor(() => open.status().state === "current", 10_000);
			expect(closed.status().reloads).toBeGreaterThanOrEqual(2);
			expect([closed.isRevoked(revoked), closed.isRevoked(valid)]).toEqual([true, false]);
			const later = await tokens.auth();
			await open.revoke(later.claims);
			await waitFor(() => closed.isRevoked(later), 1000);
		});

		it("paused: stale past maxStaleness; resumed: current, with the revocation sent meanwhile", async () => {
			redis = await startRedisServer(REDIS_BINARY as string);
			const list = await instance(redis.url);
			const writer = await instance(redis.url, { maxStaleness: 60 });
			const auth = await tokens.auth();
			redis.pause();
			cleanups.push(() => redis.resume());
			const pausedAt = performance.now();
			// Queued in the writer's connection: Redis takes it when it wakes up.
			const revoking = writer.revoke(auth.claims);
			await waitFor(() => list.status().state === "stale", MAX_STALENESS_MS + 2000);
			expect(performance.now() - pausedAt).toBeGreaterThanOrEqual(MAX_STALENESS_MS - HEARTBEAT_MS - 50);
			expect(() => list.isRevoked(auth)).toThrow(STALE);
			redis.resume();
			await revoking;
			await waitFor(() => list.status().state === "current", 5000);
			await waitFor(() => list.isRevoked(auth), 1000);
		});

		it("cut off alone: misses a revocation, then applies it as it reconnects", async () => {
			redis = await startRedisServer(REDIS_BINARY as string);
			const proxy: TcpProxy = await startTcpProxy(redis.port);
			cleanups.push(() => proxy.close());
			const admin = await instance(redis.url);
			const cutOff = await instance(proxy.url, { maxStaleness: 30 });
			const auth = await tokens.auth();
			const reloadsBefore = cutOff.status().reloads;

			proxy.cut();
			await admin.revoke(auth.claims);
			await admin.revokeSubject("user_cut", { before: new Date() });
			const subjectToken = await tokens.auth({ sub: "user_cut", iat: Math.floor(Date.now() / 1000) - 5 });
			await new Promise((resolve) => setTimeout(resolve, 300));
			// Within maxStaleness the cut-off mirror still answers, without what it could not hear.
			expect(cutOff.isRevoked(auth)).toBe(false);
			expect(cutOff.isRevoked(subjectToken)).toBe(false);

			proxy.restore();
			const restoredAt = performance.now();
			await waitFor(() => cutOff.isRevoked(auth) && cutOff.isRevoked(subjectToken), 10_000);
			console.log(
				`[faults/${driver}] cut off: revocations made meanwhile applied ${(performance.now() - restoredAt).toFixed(0)} ms after the network came back`,
			);
			expect(cutOff.status().reloads).toBeGreaterThan(reloadsBefore);
			expect(cutOff.status().state).toBe("current");
		});
	},
);
