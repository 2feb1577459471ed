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
 * The keys of one JWKS URI. One fetch at a time (concurrent callers share it); fresh for `cacheMaxAge`,
 * then refreshed in the background while the old keys keep serving; a refetch for an unknown `kid` at
 * most once per `cooldown`; stale keys kept for `staleIfError` past `cacheMaxAge` when refetches fail.
 */
export class JwksCache {
	private keys: JwksKey[] | undefined;
	private fetchedAt = Number.NEGATIVE_INFINITY;
	private lastAttempt = Number.NEGATIVE_INFINITY;
	private lastFailure = Number.NEGATIVE_INFINITY;
	private pending: Promise<JwksKey[]> | undefined;
	private lastError: unknown;
	/** How many fetches were started (for tests and metrics). */
	fetches = 0;

	constructor(
		readonly uri: string | (() => Promise<string>),
		private readonly options: JwksCacheOptions,
		private readonly now: () => number,
	) {}

	/** The keys, without waiting, when they are fresh and nothing needs fetching; else `undefined`. */
	peek(): JwksKey[] | undefined {
		return this.keys !== undefined && this.now() - this.fetchedAt <= this.options.cacheMaxAge
			? this.keys
			: undefined;
	}

	/**
	 * The usable keys. With nothing usable cached, waits for a fetch and throws the 503 if it fails.
	 * With `refetch` (an unknown `kid`), fetches again unless the last fetch started under `cooldown` ago.
	 */
	async getKeys(refetch = false): Promise<JwksKey[]> {
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
		const body = await fetchJson(uri, this.options.timeout);
		if (typeof body !== "object" || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
			throw new FetchError(`GET ${uri} did not answer a JWKS ({"keys": [...]})`);
		}
		return toJwksKeys((body as { keys: unknown[] }).keys);
	}
}
