import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplayStore, type ReplayStore } from "../src/index.js";
import { spawnTs } from "./support/child.js";
import {
	canRun,
	connectClient,
	DRIVERS,
	type DriverName,
	REDIS_BINARY,
	rawClient,
	type TestClient,
	type TestRedis,
	testRedis,
} from "./support/redis.js";
import { startRedisServer } from "./support/redis-server.js";

const run = canRun("any", "replay-store.test.ts");
const inAMinute = () => new Date(Date.now() + 60_000);

describe.skipIf(!run)("createReplayStore", () => {
	let redis: TestRedis;
	const clients: TestClient[] = [];
	const stores = new Map<DriverName, ReplayStore>();
	let prefix: string;

	beforeAll(async () => {
		redis = await testRedis();
		prefix = `${redis.prefix}dpop:`;
		for (const driver of DRIVERS) {
			const client = await connectClient(redis.url, driver);
			clients.push(client);
			stores.set(driver, createReplayStore(client.client, { prefix }));
		}
	});
	afterAll(async () => {
		for (const client of clients) client.close();
		await redis?.close();
	});

	it.each(DRIVERS)("with %s: the first claim wins, every later one on any client loses", async (driver) => {
		const key = randomUUID();
		const store = stores.get(driver) as ReplayStore;
		expect(await store.claim(key, inAMinute())).toBe(true);
		expect(await store.claim(key, inAMinute())).toBe(false);
		for (const other of stores.values()) expect(await other.claim(key, inAMinute())).toBe(false);
	});

	it("concurrent claims of one key from two clients: exactly one wins", async () => {
		const keys = Array.from({ length: 100 }, () => randomUUID());
		const [first, second] = [stores.get("node-redis"), stores.get("ioredis")] as ReplayStore[];
		const claims = keys.map((key) =>
			Promise.all(
				[first, second, first, second, first, second].map((store) =>
					(store as ReplayStore).claim(key, inAMinute()),
				),
			),
		);
		for (const results of await Promise.all(claims)) {
			expect(results.filter(Boolean)).toHaveLength(1);
		}
	});

	it("a key is free again once its window (expiresAt) has passed", async () => {
		const key = randomUUID();
		const store = stores.get("node-redis") as ReplayStore;
		expect(await store.claim(key, new Date(Date.now() + 150))).toBe(true);
		expect(await store.claim(key, new Date(Date.now() + 150))).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await store.claim(key, inAMinute())).toBe(true);
	});

	it("stores any key as its SHA-256, expiring at expiresAt", async () => {
		const longKey = "k".repeat(100_000);
		const store = stores.get("node-redis") as ReplayStore;
		expect(await store.claim(longKey, inAMinute())).toBe(true);
		expect(await store.claim(`${longKey}x`, inAMinute())).toBe(true);
		expect(await store.claim(longKey, inAMinute())).toBe(false);
		const client = await rawClient(redis.url);
		const stored = await client.get(`${prefix}TvfChqqlHci4B40igvEAojLH0bZOKzh5eSFsmTLRdaM`);
		const ttl = await client.pTTL(`${prefix}TvfChqqlHci4B40igvEAojLH0bZOKzh5eSFsmTLRdaM`);
		client.destroy();
		expect(stored).toBe("1");
		expect(ttl).toBeGreaterThan(55_000);
		expect(ttl).toBeLessThanOrEqual(60_000);
	});

	it("refuses bad arguments with a TypeError that says what to pass", async () => {
		const store = stores.get("node-redis") as ReplayStore;
		await expect(store.claim("", inAMinute())).rejects.toThrow(
			new TypeError("@bearerguard/redis: claim() needs a non-empty string key."),
		);
		await expect(store.claim("k", new Date(Number.NaN))).rejects.toThrow(
			new TypeError("@bearerguard/redis: claim() needs expiresAt as a Date."),
		);
		expect(() => createReplayStore({} as never)).toThrow(
			new TypeError(
				"@bearerguard/redis: createReplayStore needs a Redis client: pass a connected client of the `redis` package (await createClient().connect()) or of `ioredis` (new Redis()).",
			),
		);
		expect(() => createReplayStore(clients[0]?.client as never, { prefix: "" })).toThrow(
			`"prefix" must be a non-empty string of at most 200 characters`,
		);
		for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(() => createReplayStore(clients[0]?.client as never, { timeout })).toThrow(
				new TypeError(
					"@bearerguard/redis: the timeout of createReplayStore must be a number of milliseconds > 0.",
				),
			);
		}
	});

	it("two processes claiming the same 200 keys at once: each key won exactly once", async () => {
		const keys = Array.from({ length: 200 }, () => randomUUID());
		const file = join(import.meta.dirname, "support/claimer.ts");
		const children = [
			spawnTs(file, [redis.url, "node-redis", prefix]),
			spawnTs(file, [redis.url, "ioredis", prefix]),
		];
		try {
			for (const child of children) expect(await child.line()).toBe("ready");
			for (const child of children) child.write(JSON.stringify(keys));
			for (const child of children) child.write("go");
			const [a, b] = (await Promise.all(
				children.map(async (child) => JSON.parse(await child.line())),
			)) as boolean[][];
			expect(a).toHaveLength(200);
			expect(keys.map((_, i) => Number(a?.[i]) + Number(b?.[i]))).toEqual(keys.map(() => 1));
		} finally {
			await Promise.all(children.map((child) => child.stop()));
		}
	});

	it.skipIf(REDIS_BINARY === undefined)("rejects (never true) while Redis is down", async () => {
		const server = await startRedisServer(REDIS_BINARY as string);
		const client = await connectClient(server.url, "ioredis");
		try {
			const store = createReplayStore(client.client);
			expect(await store.claim("before", inAMinute())).toBe(true);
			await server.kill();
			await expect(store.claim("after", inAMinute())).rejects.toThrow();
		} finally {
			client.close();
			await server.stop();
		}
	});
});
