/**
 * On Redis with Sentinel, through a failover: the master is killed while a revocation is being made;
 * the sentinel promotes the replica; every list ends up holding both what was replicated before and
 * what was revoked during the failover, with node-redis's createSentinel and ioredis's sentinels.
 */
import { Redis } from "ioredis";
import { createClient, createSentinel } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRevocationList, type RedisClientLike, type RevocationList } from "../src/index.js";
import { type Verified, verifiedTokens, waitFor } from "./support/issuer.js";
import { canRun, REDIS_BINARY } from "./support/redis.js";
import { type RedisSentinel, SENTINEL_MASTER, startRedisSentinel } from "./support/redis-sentinel.js";

const run = canRun("binary", "sentinel.test.ts");

type Connect = (sentinelPort: number) => Promise<{ client: RedisClientLike; close(): void }>;
const CLIENTS: Record<string, Connect> = {
	"node-redis createSentinel": async (port) => {
		const client = createSentinel({
			name: SENTINEL_MASTER,
			sentinelRootNodes: [{ host: "127.0.0.1", port }],
		});
		client.on("error", () => {});
		await client.connect();
		return { client, close: () => client.destroy() };
	},
	"ioredis with sentinels": async (port) => {
		const client = new Redis({ sentinels: [{ host: "127.0.0.1", port }], name: SENTINEL_MASTER });
		client.on("error", () => {});
		await new Promise((resolve) => client.once("ready", resolve));
		return { client, close: () => client.disconnect() };
	},
};

describe.skipIf(!run).each(Object.keys(CLIENTS))("on Redis Sentinel with %s", (name) => {
	const connect = CLIENTS[name] as Connect;
	let sentinel: RedisSentinel;
	let tokens: Verified;
	let cleanups: Array<() => unknown> = [];

	beforeAll(async () => {
		tokens = await verifiedTokens();
	});
	afterAll(() => tokens?.close());
	afterEach(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
		cleanups = [];
		await sentinel?.stop();
	});

	async function list(): Promise<RevocationList> {
		const { client, close } = await connect(sentinel.sentinelPort);
		const created = await createRevocationList(client, { maxStaleness: 30 });
		cleanups.push(() => created.close(), close);
		return created;
	}

	it("keeps every revocation through a failover", async () => {
		sentinel = await startRedisSentinel(REDIS_BINARY as string);
		const [a, b] = [await list(), await list()];
		const before = await tokens.auth();
		await a.revoke(before.claims);
		await waitFor(() => b.isRevoked(before), 1000);
		// Replicated before the master goes: WAIT for the replica's acknowledgement.
		const master = await createClient({ url: `redis://127.0.0.1:${sentinel.masterPort}` }).connect();
		expect(await master.wait(1, 5000)).toBe(1);
		master.destroy();

		await sentinel.killMaster();
		const during = await tokens.auth();
		// Made while there is no master: it lands on the promoted replica.
		await b.revoke(during.claims);
		const started = performance.now();
		await waitFor(() => a.isRevoked(during), 20_000);
		console.log(
			`[sentinel/${name}] revocation made during the failover applied by the other instance ${(performance.now() - started).toFixed(0)} ms after it was stored`,
		);
		for (const instance of [a, b]) {
			expect([instance.isRevoked(before), instance.isRevoked(during)]).toEqual([true, true]);
		}
		await waitFor(() => a.status().state === "current" && b.status().state === "current", 10_000);
		const after = await tokens.auth();
		await a.revoke(after.claims);
		await waitFor(() => b.isRevoked(after), 1000);
	}, 60_000);
});
