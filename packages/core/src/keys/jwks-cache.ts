import { traceFetch } from "../events/fetch.js";
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

/** What a JWKS cache holds and how its fetches went, for `verifier.health()`; times are Unix seconds. */
export interface JwksCacheState {
	/** The JWKS URI, once known (configured, or discovered by the last fetch). */
	readonly uri: string | undefined;
	/** The usable keys held, or `undefined` before the first success. */
	readonly keys: number | undefined;
	/** When keys were last fetched. */
	readonly fetchedAt: number | undefined;
	/** When the last fetch started. */
	readonly lastAttempt: number | undefined;
	/** When the last fetch failed, and why. */
	readonly lastFailure: number | undefined;
	readonly lastError: unknown;
	/** Whether a fetch is in flight. */
	readonly fetching: boolean;
	/** Fetches started. */
	readonly fetches: number;
	/** Seconds from now until a fetch may be retried after a failure (0: now). */
	readonly retryIn: number;
	/** Whether the keys are past `cacheMaxAge` (still served for `staleIfError`). */
	readonly stale: boolean;
	/** Whether the keys can serve a request now (held, within `cacheMaxAge + staleIfError`). */
	readonly usable: boolean;
}

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
	private resolvedUri: string | undefined;
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
		const failure = cause ?? this.lastError;
		// A discovery 503 is not wrapped in another: its cause (the fetch's error) is the detail.
		if (failure instanceof TemporarilyUnavailableError) {
			throw new TemporarilyUnavailableError(failure.reason, wait, { cause: failure.cause });
		}
		throw new TemporarilyUnavailableError("jwks_unavailable", wait, { cause: failure });
	}

	/** What the cache holds and how its fetches went (see {@link JwksCacheState}). */
	state(): JwksCacheState {
		if (this.delegate !== undefined) return this.delegate.state();
		const now = this.now();
		const { cacheMaxAge, staleIfError, cooldown } = this.options;
		const held = this.keys !== undefined;
		const age = now - this.fetchedAt;
		const known = (time: number) => (Number.isFinite(time) ? time : undefined);
		return {
			uri: typeof this.uri === "string" ? this.uri : this.resolvedUri,
			keys: this.keys?.length,
			fetchedAt: known(this.fetchedAt),
			lastAttempt: known(this.lastAttempt),
			lastFailure: known(this.lastFailure),
			lastError: this.lastError,
			fetching: this.pending !== undefined,
			fetches: this.fetches,
			retryIn: Math.max(0, this.lastFailure + Math.min(cooldown, MAX_ERROR_BACKOFF) - now),
			stale: held && age > cacheMaxAge,
			usable: held && age <= cacheMaxAge + staleIfError,
		};
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
		this.resolvedUri = uri;
		const holder = this.claim?.(uri, this) ?? this;
		if (holder !== this) {
			this.delegate = holder;
			return holder.getKeys();
		}
		let members = 0;
		return traceFetch(
			"jwks",
			uri,
			undefined,
			async () => {
				const body = await fetchJson(uri, this.options.timeout, this.fetchImpl);
				if (typeof body !== "object" || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
					throw new FetchError(`GET ${uri} did not answer a JWKS ({"keys": [...]})`, { code: "NOT_JWKS" });
				}
				members = (body as { keys: unknown[] }).keys.length;
				return toJwksKeys((body as { keys: unknown[] }).keys);
			},
			(keys) => ({ keys: keys.length, ignoredKeys: members - keys.length }),
		);
	}
}
