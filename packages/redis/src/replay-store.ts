import { createHash } from "node:crypto";
import { driverFor, type RedisClientLike } from "./driver.js";
import { resolvePrefix } from "./options.js";

/**
 * A store of one-time keys, the shape the verifier's `dpop.replay` takes: `claim` resolves `true` the
 * first time a key is claimed within its window, `false` every time after.
 */
export interface ReplayStore {
	claim(key: string, expiresAt: Date): boolean | Promise<boolean>;
}

/** The Redis replay store: its `claim` always answers through Redis, so it always returns a promise. */
export interface RedisReplayStore extends ReplayStore {
	/** Resolves `true` the first time `key` is claimed before `expiresAt`, `false` after; rejects if Redis fails. */
	claim(key: string, expiresAt: Date): Promise<boolean>;
}

/**
 * Options of {@link createReplayStore}.
 *
 * @example
 * ```ts
 * const replay = createReplayStore(client, { prefix: 'orders-api:dpop:' })
 * ```
 */
export interface ReplayStoreOptions {
	/**
	 * The prefix of the store's Redis keys.
	 * @defaultValue `'bearerguard:dpop:'`
	 */
	prefix?: string;
	/**
	 * How long one claim may wait for Redis before it rejects (the request is answered 503): a client
	 * that queues commands while disconnected would otherwise hold the request for its own timeout.
	 * Milliseconds.
	 * @defaultValue `1000`
	 */
	timeout?: number;
}

/**
 * Creates a replay store on Redis for `dpop.replay`: a proof's key claimed on one instance is refused
 * on every other. A claim is one `SET key 1 NX PX <ms until expiresAt>`, one round trip; the key
 * expires with the proof's window. Keys are stored as their SHA-256 (43 characters), whatever their
 * length. If Redis cannot be reached or does not answer within `timeout` (1 s), `claim` rejects (the
 * request is then answered 503, never let through).
 *
 * @param client - A connected `redis` (or `ioredis`) client; it stays yours to close.
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createReplayStore } from '@bearerguard/redis'
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect()
 * const replay = createReplayStore(client)
 * await replay.claim('proof-jti', new Date(Date.now() + 300_000)) // true, then false on every instance
 * ```
 */
export function createReplayStore(client: RedisClientLike, options?: ReplayStoreOptions): RedisReplayStore {
	if (options !== undefined && (typeof options !== "object" || options === null)) {
		throw new TypeError("@bearerguard/redis: the options of createReplayStore must be an object.");
	}
	const prefix = resolvePrefix(options?.prefix, "prefix", "bearerguard:dpop:");
	const driver = driverFor(client, "createReplayStore");
	const timeout = options?.timeout ?? 1000;
	if (!Number.isFinite(timeout) || timeout <= 0) {
		throw new TypeError(
			"@bearerguard/redis: the timeout of createReplayStore must be a number of milliseconds > 0.",
		);
	}
	return {
		async claim(key: string, expiresAt: Date): Promise<boolean> {
			if (typeof key !== "string" || key.length === 0) {
				throw new TypeError("@bearerguard/redis: claim() needs a non-empty string key.");
			}
			const until = expiresAt instanceof Date ? expiresAt.getTime() : Number.NaN;
			if (Number.isNaN(until)) throw new TypeError("@bearerguard/redis: claim() needs expiresAt as a Date.");
			// A relative expiry (PX) rather than PXAT: a Redis clock ahead of ours cannot end the window early.
			const ttlMs = Math.max(1, Math.ceil(until - Date.now()));
			const hashed = createHash("sha256").update(key).digest("base64url");
			return withTimeout(driver.setIfAbsent(`${prefix}${hashed}`, ttlMs), timeout);
		},
	};
}

/** `claim`'s answer, or a rejection once `ms` have passed without one. */
function withTimeout(answer: Promise<boolean>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`Redis did not answer the replay claim within ${ms} ms`)), ms);
		timer.unref();
	});
	return Promise.race([answer, expired]).finally(() => clearTimeout(timer));
}
