import { type Duration, toSeconds } from "@bearerguard/core";

/**
 * Options of {@link createRevocationList}. Use the same ones on every instance of a fleet: the
 * expiry of an entry in Redis is decided by the instance that writes or prunes it.
 *
 * @example
 * ```ts
 * const list = await createRevocationList(client, { maxStaleness: '30s', maxTokenLifetime: '24h' })
 * ```
 */
export interface RevocationListOptions {
	/**
	 * How long the mirror keeps answering after it last heard from Redis (a heartbeat through pub/sub,
	 * or a reload). Past it, `isRevoked` throws (the 503) unless `failOpen`.
	 * @defaultValue `30` s
	 */
	maxStaleness?: Duration;
	/**
	 * `true`: past `maxStaleness`, or beyond `maxEntries`, answer from what the mirror holds instead
	 * of the 503. A token revoked while this instance was cut off is then accepted until it reconnects.
	 * @defaultValue `false` (fail closed)
	 */
	failOpen?: boolean;
	/**
	 * The prefix of every Redis key and channel of the list. Keep a `{hash tag}` in it for Redis
	 * Cluster: the list's keys must share a slot.
	 * @defaultValue `'bearerguard:{revocations}:'`
	 */
	prefix?: string;
	/**
	 * Most revocations the mirror holds (tokens, subjects and clients together). Beyond it the mirror
	 * cannot vouch for a token: `isRevoked` throws (the 503) unless `failOpen`, until enough entries
	 * have expired; a live revocation is never silently forgotten.
	 * @defaultValue `1_000_000`
	 */
	maxEntries?: number;
	/**
	 * How long past a token's `exp` its revocation is kept: at least the verifier's `clockTolerance`,
	 * which admits a token that long after `exp`.
	 * @defaultValue `60` s
	 */
	clockTolerance?: Duration;
	/**
	 * The longest lifetime (`exp - iat`) of the tokens you accept. A subject or client cut-off
	 * (`revokeSubject`, `revokeClient`) is dropped this long after its `before`, when every token it
	 * covers has expired. Leave it unset if you accept tokens without `exp`: cut-offs are then kept.
	 * @defaultValue none (cut-offs are kept)
	 */
	maxTokenLifetime?: Duration;
}

/** The options, validated, in milliseconds. */
export interface ResolvedListOptions {
	readonly maxStalenessMs: number;
	readonly failOpen: boolean;
	readonly prefix: string;
	readonly maxEntries: number;
	readonly clockToleranceMs: number;
	/** `Infinity` when cut-offs are kept. */
	readonly maxTokenLifetimeMs: number;
	/** How often the heartbeat goes round (a quarter of maxStaleness, between 25 ms and 1 s). */
	readonly heartbeatMs: number;
}

/**
 * The default prefix of a revocation list's Redis keys and channels; its `{hash tag}` keeps the keys in one
 * Redis Cluster slot.
 *
 * @example
 * ```ts
 * DEFAULT_REVOCATION_PREFIX // 'bearerguard:{revocations}:'
 * ```
 */
export const DEFAULT_REVOCATION_PREFIX = "bearerguard:{revocations}:";
const DEFAULT_MAX_ENTRIES = 1_000_000;

function fail(message: string): never {
	throw new TypeError(`@bearerguard/redis: ${message}`);
}

function milliseconds(value: Duration | undefined, name: string, fallbackSeconds: number): number {
	return Math.round(toSeconds(value ?? fallbackSeconds, name) * 1000);
}

/** Validates a prefix of Redis keys or channels; `name` names the option in the error. */
export function resolvePrefix(value: unknown, name: string, fallback: string): string {
	if (value === undefined) return fallback;
	if (typeof value !== "string" || value.length === 0 || value.length > 200) {
		fail(`"${name}" must be a non-empty string of at most 200 characters, such as 'myapp:{revocations}:'.`);
	}
	return value;
}

/** Checks every option now, so a mistake is a `TypeError` at start-up and never a failure per request. */
export function resolveListOptions(input: RevocationListOptions | undefined): ResolvedListOptions {
	if (input !== undefined && (typeof input !== "object" || input === null)) {
		fail("the options of createRevocationList must be an object.");
	}
	const options = input ?? {};
	const maxStalenessMs = milliseconds(options.maxStaleness, "maxStaleness", 30);
	if (maxStalenessMs < 100) fail(`"maxStaleness" must be at least 100 ms, such as '30s'.`);
	if (options.failOpen !== undefined && typeof options.failOpen !== "boolean") {
		fail(`"failOpen" must be true or false.`);
	}
	const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
	if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
		fail(`"maxEntries" must be a whole number of at least 1, such as 1000000.`);
	}
	const maxTokenLifetimeMs =
		options.maxTokenLifetime === undefined
			? Number.POSITIVE_INFINITY
			: milliseconds(options.maxTokenLifetime, "maxTokenLifetime", 0);
	if (maxTokenLifetimeMs < 1000) fail(`"maxTokenLifetime" must be at least 1 s, such as '24h'.`);
	return {
		maxStalenessMs,
		failOpen: options.failOpen ?? false,
		prefix: resolvePrefix(options.prefix, "prefix", DEFAULT_REVOCATION_PREFIX),
		maxEntries,
		clockToleranceMs: milliseconds(options.clockTolerance, "clockTolerance", 60),
		maxTokenLifetimeMs,
		heartbeatMs: Math.min(1000, Math.max(25, Math.floor(maxStalenessMs / 4))),
	};
}
