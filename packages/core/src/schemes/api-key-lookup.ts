/**
 * `apiKeys.lookup`, called at most once at a time per key (concurrent requests share the call), bounded
 * by a timeout, its answers cached by hash: found keys for `cache.maxAge`, unknown ones for 5 s at most,
 * each in a store bounded in entries, so a flood of unknown keys never evicts the found ones.
 */
import { timingSafeEqual } from "node:crypto";
import { LRUCache } from "lru-cache";
import { type ResolvedApiKeys, recordProblem, UNKNOWN_KEY_MAX_AGE } from "../config/api-keys.js";
import type { ApiKeyLookup, ApiKeyRecord } from "../credential-types.js";
import { TemporarilyUnavailableError } from "../http/errors.js";
import type { VerifiedToken } from "../token/token-cache.js";
import { rethrowFresh } from "./fresh-error.js";

/** A found key, alive until `until` (Unix milliseconds). */
interface Found {
	readonly entry: VerifiedToken;
	readonly until: number;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
	return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function unavailable(cause: unknown): TemporarilyUnavailableError {
	if (cause instanceof TemporarilyUnavailableError) return cause;
	return new TemporarilyUnavailableError("api_key_lookup_failed", 1, { cause });
}

/** `promise`, or a rejection once `seconds` have passed (the timer does not hold the process open). */
function withTimeout<T>(promise: Promise<T>, seconds: number): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`apiKeys.lookup did not answer within ${seconds} s ("apiKeys.timeout")`)),
			Math.max(1, Math.round(seconds * 1000)),
		);
		timer.unref();
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(error: unknown) => {
				clearTimeout(timer);
				reject(error);
			},
		);
	});
}

/** Whether two hashes (64 hex characters each) are equal, compared in constant time. */
function sameHash(a: string, b: string): boolean {
	return a.length === b.length && timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));
}

/** What {@link ApiKeyLookupCache.cached} answers for a key `lookup` did not find. */
export const UNKNOWN: unique symbol = Symbol("unknown API key");

/**
 * The cached, single-flight `lookup` of one verifier. `find(hash)` answers a record's verified entry,
 * `undefined` for an unknown key, or a promise of either; a throw, a rejection, a timeout or a
 * malformed record is the 503 `api_key_lookup_failed`.
 */
export class ApiKeyLookupCache {
	private readonly lookup: ApiKeyLookup;
	private readonly found: LRUCache<string, Found> | undefined;
	private readonly unknown: LRUCache<string, number> | undefined;
	private readonly pending = new Map<string, Promise<VerifiedToken | undefined>>();
	private readonly foundMaxAge: number;
	private readonly unknownMaxAge: number;
	/** Calls of `lookup` made (for tests and metrics). */
	calls = 0;
	/** Answers the cache gave without a call, as a 32-bit counter that wraps. */
	hits = 0;

	constructor(
		private readonly keys: ResolvedApiKeys,
		private readonly build: (record: ApiKeyRecord) => VerifiedToken,
	) {
		this.lookup = keys.lookup as ApiKeyLookup;
		const cache = keys.cache;
		this.foundMaxAge = (cache?.maxAge ?? 0) * 1000;
		this.unknownMaxAge = Math.min(cache?.maxAge ?? 0, UNKNOWN_KEY_MAX_AGE) * 1000;
		this.found = cache === undefined ? undefined : new LRUCache<string, Found>({ max: cache.max });
		this.unknown = cache === undefined ? undefined : new LRUCache<string, number>({ max: cache.max });
	}

	/** How many keys are remembered, found and unknown (for tests and metrics). */
	get size(): { readonly found: number; readonly unknown: number } {
		return { found: this.found?.size ?? 0, unknown: this.unknown?.size ?? 0 };
	}

	/**
	 * What the cache holds for the key with this hash at `now` (Unix milliseconds): its entry,
	 * {@link UNKNOWN}, or `undefined` when nothing alive is cached.
	 */
	cached(hash: string, now: number): VerifiedToken | typeof UNKNOWN | undefined {
		const found = this.found?.get(hash);
		if (found !== undefined) {
			if (found.until > now) {
				this.hits = (this.hits + 1) | 0;
				return found.entry;
			}
			this.found?.delete(hash);
		}
		const unknownUntil = this.unknown?.get(hash);
		if (unknownUntil !== undefined) {
			if (unknownUntil > now) {
				this.hits = (this.hits + 1) | 0;
				return UNKNOWN;
			}
			this.unknown?.delete(hash);
		}
		return undefined;
	}

	/**
	 * The entry of the key with this hash, `undefined` when it is unknown, or a promise of either:
	 * from the cache, else from the call in flight for it, else from a new call.
	 */
	find(hash: string, now: number): VerifiedToken | undefined | Promise<VerifiedToken | undefined> {
		const cached = this.cached(hash, now);
		if (cached !== undefined) return cached === UNKNOWN ? undefined : cached;
		const pending = this.pending.get(hash);
		if (pending !== undefined) return pending.catch(rethrowFresh);
		return this.call(hash);
	}

	private call(hash: string): VerifiedToken | undefined | Promise<VerifiedToken | undefined> {
		this.calls++;
		let answer: ReturnType<ApiKeyLookup>;
		try {
			answer = this.lookup(hash);
		} catch (cause) {
			throw unavailable(cause);
		}
		// A synchronous lookup (an in-memory map) answers synchronously.
		if (!isPromise(answer)) return this.settle(hash, answer);
		const promise = withTimeout(Promise.resolve(answer), this.keys.timeout).then(
			(record) => {
				this.pending.delete(hash);
				return this.settle(hash, record);
			},
			(cause: unknown) => {
				this.pending.delete(hash);
				throw unavailable(cause);
			},
		);
		this.pending.set(hash, promise);
		return promise.catch(rethrowFresh);
	}

	/** Checks and caches what `lookup` answered for `hash`. */
	private settle(hash: string, record: unknown): VerifiedToken | undefined {
		const now = Date.now();
		if (record === undefined || record === null) {
			if (this.unknownMaxAge > 0) this.unknown?.set(hash, now + this.unknownMaxAge);
			return undefined;
		}
		const problem = recordProblem(record);
		if (problem !== undefined)
			throw unavailable(
				new TypeError(`bearerguard: apiKeys.lookup answered a malformed record: ${problem}.`),
			);
		if (!sameHash((record as ApiKeyRecord).hash, hash)) {
			throw unavailable(
				new TypeError("bearerguard: apiKeys.lookup answered a record of another hash than the one asked."),
			);
		}
		const entry = this.build(record as ApiKeyRecord);
		if (this.foundMaxAge > 0) this.found?.set(hash, { entry, until: now + this.foundMaxAge });
		return entry;
	}
}
