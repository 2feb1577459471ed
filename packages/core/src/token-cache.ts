import { LRUCache } from "lru-cache";
import type { AuthResult } from "./types.js";

/** A verified token as cached: the result of signature and claims checks, nothing per-request. */
export interface VerifiedToken {
	readonly auth: AuthResult;
	/** Whether the organization claim is absent or well formed (the 400 is decided per request). */
	readonly organizationValid: boolean;
}

/**
 * Characters of the token's end used as the index: 43 base64url characters are 258 bits, as many as a
 * SHA-256, and the end of a JWS is its signature. The index only finds a candidate; `get` compares the
 * whole token before answering.
 */
const INDEX_LENGTH = 43;

function indexOf(token: string): string {
	return token.length <= INDEX_LENGTH ? token : token.slice(-INDEX_LENGTH);
}

/** Upper bound of the cache's weight: the sum of cached tokens' lengths plus a fixed cost per entry. */
const MAX_WEIGHT = 32 * 1024 * 1024;
const ENTRY_OVERHEAD = 1024;

/**
 * The verified-token cache: keyed by the whole token string (see `get`), bounded by entries and by weight, each
 * entry living no longer than its token's `exp` nor `maxAge`. Only successes are stored.
 */
export class TokenCache {
	private readonly lru: LRUCache<string, VerifiedToken>;

	constructor(
		max: number,
		private readonly maxAge: number,
	) {
		this.lru = new LRUCache<string, VerifiedToken>({
			max,
			maxSize: MAX_WEIGHT,
			sizeCalculation: (value) => value.auth.token.length + ENTRY_OVERHEAD,
			ttl: maxAge * 1000,
			ttlAutopurge: false,
		});
	}

	/**
	 * The cached result for this exact token, if still alive. Entries are indexed by the token's last
	 * characters (its signature), which hash far faster than the whole ~1 KB string a request brings;
	 * an entry is returned only when its whole token equals this one, so no two tokens share a result.
	 */
	get(token: string): VerifiedToken | undefined {
		const entry = this.lru.get(indexOf(token));
		return entry !== undefined && entry.auth.token === token ? entry : undefined;
	}

	/** Stores a verified token until `exp` (Unix seconds) or `maxAge`, whichever is first. */
	set(token: string, value: VerifiedToken, exp: number | undefined, now: number): void {
		const seconds = exp === undefined ? this.maxAge : Math.min(this.maxAge, exp - now);
		const ttl = Math.floor(seconds * 1000);
		// lru-cache reads a ttl of 0 as "forever", so an entry with under a millisecond left is not stored.
		if (ttl < 1) return;
		this.lru.set(indexOf(token), value, { ttl });
	}

	/** How many entries are held (for tests and metrics). */
	get size(): number {
		return this.lru.size;
	}
}
