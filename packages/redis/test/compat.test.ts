/**
 * The previous majors of both clients: redis 5 and ioredis 5 (the peer range), through the same
 * scenarios in short: a revocation crossing instances, a reload after Redis restarts, a replay claim.
 */
import { Redis as IoRedis5 } from "ioredis5";
import { createClient as createClient5 } from "redis5";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createReplayStore, createRevocationList, type RedisClientLike } from "../src/index.js";
import { type Verified, verifiedTokens, waitFor } from "./support/issuer.js";
import { canRun, REDIS_BINARY } from "./support/redis.js";
import { type RedisServer, startRedisServer } from "./support/redis-server.js";

const run = canRun("binary", "compat.test.ts");

const CLIENTS: Record<string, (url: string) => Promise<{ client: RedisClientLike; close(): void }>> = {
	"redis 5": async (url) => {
		const client = createClient5({ url });
		client.on("error", () => {});
		await client.connect();
		return { client, close: () => client.destroy() };
	},
	"ioredis 5": async (url) => {
		const client = new IoRedis5(url, { maxRetriesPerRequest: 2 });
		client.on("error", () => {});
		await new Promise((resolve) => client.once("ready", resolve));
		return { client, close: () => client.disconnect() };
	},
};

describe.skipIf(!run).each(Object.keys(CLIENTS))("with %s", (name) => {
	const connect = CLIENTS[name] as (typeof CLIENTS)[string];
	let redis: RedisServer;
	let tokens: Verified;
	let cleanups: Array<() => unknown> = [];

	beforeAll(async () => {
		tokens = await verifiedTokens();
	});
	afterAll(() => tokens?.close());
	afterEach(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
		cleanups = [];
		await redis?.stop();
	});

	async function list(url: string) {
		const { client, close } = await connect(url);
		const created = await createRevocationList(client, { maxStaleness: 1 });
		cleanups.push(() => created.close(), close);
		return created;
	}

	it("carries a revocation across instances, and reloads after Redis restarts", async () => {
		redis = await startRedisServer(REDIS_BINARY as string);
		const [a, b] = [await list(redis.url), await list(redis.url)];
		const first = await tokens.auth();
		await a.revoke(first.claims);
		expect(await waitFor(() => b.isRevoked(first), 1000)).toBeLessThan(250); // the contract's 100 ms, with margin for a loaded machine

		await redis.restart();
		await waitFor(() => b.status().reloads >= 2 && b.status().state === "current", 10_000);
		const second = await tokens.auth();
		await a.revoke(second.claims);
		await waitFor(() => b.isRevoked(second), 1000);
		expect(b.isRevoked(first)).toBe(true);
	});

	it("claims a replay key once", async () => {
		redis = await startRedisServer(REDIS_BINARY as string);
		const { client, close } = await connect(redis.url);
		cleanups.push(close);
		const store = createReplayStore(client);
		const expiresAt = new Date(Date.now() + 60_000);
		expect(await Promise.all([store.claim("k", expiresAt), store.claim("k", expiresAt)])).toEqual([
			true,
			false,
		]);
	});
});
