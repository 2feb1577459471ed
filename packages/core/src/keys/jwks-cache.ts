import { TemporarilyUnavailableError } from "../http/errors.js";
import { FetchError, fetchJson } from "./fetch-json.js";
import { type JwksKey, toJwksKeys } from "./jwk.js";

/** JWKS cache settings, in seconds. */
export interface JwksCacheOptions {
	readonly cacheMaxAge: number;
	readonly cooldown: number;
	readonly timeout: number;
	readonly staleIfError: number;
}

/** After a failed fetch, the next one waits this long at most (or `cooldown`, if shorter). */
const MAX_ERROR_BACKOFF = 5;

/**
 * Finds the cache that holds a JWKS URI's keys: the first cache to claim a URI holds it, and a cache
 * whose discovery names the same URI later hands everything on to that one.
 */
export type JwksClaim = (uri: string, cache: JwksCache) => JwksCache;

/**
 * The keys of one JWKS URI. One fetch at a time (concurrent callers share it); fresh for `cacheMaxAge`,
 * then refreshed in the background while the old keys keep serving; a refetch for an unknown `kid` at
 * most once per `cooldown`; stale keys kept for `staleIfError` past `cacheMaxAge` when refetches fail.
 * When the URI is discovered and another cache (another issuer's) already holds it, this one hands
 * every call on to that one, so issuers that share a JWKS share one fetch at a time and one cooldown.
 */
export class JwksCache {
	private keys: JwksKey[] | undefined;
	private fetchedAt = Number.NEGATIVE_INFINITY;
	private lastAttempt = Number.NEGATIVE_INFINITY;
	private lastFailure = Number.NEGATIVE_INFINITY;
	private pending: Promise<JwksKey[]> | undefined;
	private lastError: unknown;
	/** The cache that holds this one's URI, once discovery named a URI another cache holds. */
	private delegate: JwksCache | undefined;
	/** How many fetches were started (for tests and metrics). */
	fetches = 0;

	constructor(
		readonly uri: string | (() => Promise<string>),
		private readonly options: JwksCacheOptions,
		private readonly now: () => number,
		private readonly fetchImpl: typeof fetch = globalThis.fetch,
		private readonly claim?: JwksClaim,
	) {}

	/** The keys, without waiting, when they are fresh and nothing needs fetching; else `undefined`. */
	peek(): JwksKey[] | undefined {
		if (this.delegate !== undefined) return this.delegate.peek();
		return this.keys !== undefined && this.now() - this.fetchedAt <= this.options.cacheMaxAge
			? this.keys
			: undefined;
	}

	/**
	 * The usable keys. With nothing usable cached, waits for a fetch and throws the 503 if it fails.
	 * With `refetch` (an unknown `kid`), fetches again unless the last fetch started under `cooldown` ago.
	 */
	async getKeys(refetch = false): Promise<JwksKey[]> {
		if (this.delegate !== undefined) return this.delegate.getKeys(refetch);
		const now = this.now();
		const age = now - this.fetchedAt;
		const usable = this.keys !== undefined && age <= this.options.cacheMaxAge + this.options.staleIfError;
		if (usable && this.keys) {
			// A refetch in flight is joined, so requests racing a key rotation all see the new key.
			if (refetch && (this.pending !== undefined || now - this.lastAttempt >= this.options.cooldown))
				return this.refresh().catch(() => this.current());
			if (age > this.options.cacheMaxAge && this.canRetry(now)) this.refresh().catch(() => undefined);
			return this.keys;
		}
		if (this.pending) return this.pending.catch((cause) => this.unavailable(cause));
		if (!this.canRetry(now)) return this.unavailable(this.lastError);
		return this.refresh().catch((cause) => this.unavailable(cause));
	}

	private current(): JwksKey[] {
		return this.keys ?? [];
	}

	private canRetry(now: number): boolean {
		return (
			now - this.lastFailure >= Math.min(this.options.cooldown, MAX_ERROR_BACKOFF) &&
			this.pending === undefined
		);
	}

	private unavailable(cause: unknown): never {
		const wait = this.lastFailure + Math.min(this.options.cooldown, MAX_ERROR_BACKOFF) - this.now();
		const reason = cause instanceof TemporarilyUnavailableError ? cause.reason : "jwks_unavailable";
		throw new TemporarilyUnavailableError(reason, wait, { cause: cause ?? this.lastError });
	}

	/** Starts a fetch, or joins the one in flight. */
	refresh(): Promise<JwksKey[]> {
		if (this.delegate !== undefined) return this.delegate.refresh();
		if (this.pending) return this.pending;
		this.lastAttempt = this.now();
		this.fetches++;
		this.pending = this.load().then(
			(keys) => {
				this.keys = keys;
				this.fetchedAt = this.now();
				this.pending = undefined;
				return keys;
			},
			(error: unknown) => {
				this.lastFailure = this.now();
				this.lastError = error;
				this.pending = undefined;
				throw error;
			},
		);
		return this.pending;
	}

	private async load(): Promise<JwksKey[]> {
		const uri = typeof this.uri === "string" ? this.uri : await this.uri();
		const holder = this.claim?.(uri, this) ?? this;
		if (holder !== this) {
			this.delegate = holder;
			return holder.getKeys();
		}
		const body = await fetchJson(uri, this.options.timeout, this.fetchImpl);
		if (typeof body !== "object" || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
			throw new FetchError(`GET ${uri} did not answer a JWKS ({"keys": [...]})`);
		}
		return toJwksKeys((body as { keys: unknown[] }).keys);
	}
}
