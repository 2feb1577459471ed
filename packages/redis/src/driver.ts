import { type IoRedisClient, ioRedisDriver } from "./drivers/ioredis.js";
import { type NodeRedisClient, nodeRedisDriver } from "./drivers/node-redis.js";

/**
 * A connected client of the official `redis` package (`createClient()`, or `createSentinel()`), or
 * of `ioredis` (`new Redis()`, or `new Redis.Cluster()`). The package never connects it, reads the
 * environment or closes it: you own it. Subscriptions run on a connection of their own, made with
 * `client.duplicate()`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = await createClient({ url: 'redis://localhost:6379' }).on('error', console.error).connect()
 * ```
 */
export type RedisClientLike = NodeRedisClient | IoRedisClient;

/** The calls made on a subscriber connection as it lives. */
export interface SubscriberEvents {
	/** A message on one of the channels. */
	message(channel: string, message: string): void;
	/** The connection is (again) ready and subscribed: anything published meanwhile was missed. */
	ready(): void;
	/** The connection failed (it reconnects by itself). */
	error(error: unknown): void;
}

/** A subscriber connection of the package's own. */
export interface Subscription {
	close(): Promise<void>;
}

/** What the list and the replay store need from Redis, whatever the client library. */
export interface Driver {
	/** `EVAL script numkeys ...keys ...args`. */
	eval(script: string, keys: string[], args: string[]): Promise<unknown>;
	publish(channel: string, message: string): Promise<unknown>;
	/** `SET key 1 NX PX ttlMs`: `true` when this call set it. */
	setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
	/** Opens a new connection (`duplicate()`) subscribed to `channels`; resolves once it is subscribed. */
	subscribe(channels: readonly string[], events: SubscriberEvents): Promise<Subscription>;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return (typeof value === "object" || typeof value === "function") && value !== null;
}

/** Picks the driver for `client`, or throws a `TypeError` that says what to pass. */
export function driverFor(client: unknown, factory: string): Driver {
	const usage =
		"pass a connected client of the `redis` package (await createClient().connect()) or of `ioredis` (new Redis()).";
	if (!isObject(client) || typeof client.duplicate !== "function" || typeof client.publish !== "function") {
		throw new TypeError(`@bearerguard/redis: ${factory} needs a Redis client: ${usage}`);
	}
	if (typeof client.isOpen === "boolean") {
		if (!client.isOpen) {
			throw new TypeError(
				`@bearerguard/redis: ${factory} got a client that is not connected: await client.connect() first.`,
			);
		}
		return nodeRedisDriver(client as unknown as NodeRedisClient);
	}
	if (typeof client.status === "string") {
		if (client.status === "end" || client.status === "close") {
			throw new TypeError(
				`@bearerguard/redis: ${factory} got an ioredis client that was closed: pass a connected one.`,
			);
		}
		return ioRedisDriver(client as unknown as IoRedisClient);
	}
	throw new TypeError(`@bearerguard/redis: ${factory} does not recognise this client: ${usage}`);
}
