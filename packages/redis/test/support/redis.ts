/**
 * Which Redis the suite can use. Tests that stop, pause or restart Redis need the `redis-server`
 * binary; plain ones also run against a Redis already listening on 127.0.0.1:6379 (with a key prefix
 * of their own). Without either, a test file prints one "skipped: ..." line and skips, except under
 * `CI=true`, where it fails: CI must provide Redis (`.ci/redis.sh`).
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike } from "../../src/index.js";
import { findRedisServer, ping, type RedisServer, startRedisServer } from "./redis-server.js";

export const REDIS_BINARY = findRedisServer();
export const SHARED_PORT = 6379;
const sharedAvailable = REDIS_BINARY === undefined && (await ping(SHARED_PORT));

/**
 * Whether a test file that needs `need` can run. When it cannot: under `CI=true` it throws (the file
 * fails); otherwise it prints one line and returns `false` (the file's `describe.skipIf` skips it).
 */
export function canRun(need: "binary" | "any", file: string): boolean {
	const available = REDIS_BINARY !== undefined || (need === "any" && sharedAvailable);
	if (available) return true;
	const why =
		need === "binary"
			? "no redis-server binary on the PATH (install redis-server)"
			: "no redis-server binary on the PATH and nothing answers on 127.0.0.1:6379 (install redis-server)";
	if (process.env.CI === "true") throw new Error(`${file}: CI=true but ${why}; run .ci/redis.sh first`);
	console.log(`skipped: ${file}: ${why}`);
	return false;
}

/** A Redis for plain tests: a server of the file's own when the binary is there, else the shared one. */
export interface TestRedis {
	readonly url: string;
	/** A prefix no other test file uses (the shared server may hold others' keys). */
	readonly prefix: string;
	/** The server, when it is the file's own (to pause or kill it). */
	readonly server: RedisServer | undefined;
	close(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
	const prefix = `bearerguard-test:${randomUUID()}:{revocations}:`;
	if (REDIS_BINARY !== undefined) {
		const server = await startRedisServer(REDIS_BINARY);
		return { url: server.url, prefix, server, close: () => server.stop() };
	}
	const url = `redis://127.0.0.1:${SHARED_PORT}`;
	return {
		url,
		prefix,
		server: undefined,
		async close() {
			// Leave the shared server as it was found.
			const client = await createClient({ url }).connect();
			for await (const keys of client.scanIterator({ MATCH: `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*` })) {
				if (keys.length > 0) await client.del(keys);
			}
			client.destroy();
		},
	};
}

/** A plain node-redis client for a test to look into Redis or publish; errors are ignored. */
export async function rawClient(url: string) {
	const client = createClient({ url });
	client.on("error", () => {});
	await client.connect();
	return client;
}

/** The client libraries (and protocols) every list test runs with. */
export const DRIVERS = ["node-redis", "node-redis RESP2", "ioredis"] as const;
export type DriverName = (typeof DRIVERS)[number];

export interface TestClient {
	readonly client: RedisClientLike;
	/** Closes it at once, as a crashing process would. */
	close(): void;
}

/** A connected client of `driver`, as a user would make it (errors logged, not thrown). */
export async function connectClient(url: string, driver: DriverName): Promise<TestClient> {
	if (driver === "ioredis") {
		const client = new Redis(url, { maxRetriesPerRequest: 2 });
		client.on("error", () => {});
		await new Promise<void>((resolve, reject) => client.once("ready", resolve).once("error", reject));
		return { client, close: () => client.disconnect() };
	}
	const client = createClient({ url, RESP: driver === "node-redis RESP2" ? 2 : 3 });
	client.on("error", () => {});
	await client.connect();
	return { client, close: () => client.destroy() };
}
