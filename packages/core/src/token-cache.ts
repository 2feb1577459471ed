import { LRUCache } from "lru-cache";
import type { AuthResult } from "./types.js";

/** A verified token as cached: the result of signature and claims checks, nothing per-request. */
export interface VerifiedToken {
	readonly auth: AuthResult;
	/** Whether the organization claim is absent or well formed (the 400 is decided per request). */
	readonly organizationValid: boolean;
}

/** Upper bound of the cache's weight: the sum of cached tokens' lengths plus a fixed cost per entry. */
const MAX_WEIGHT = 32 * 1024 * 1024;
const ENTRY_OVERHEAD = 1024;

/**
 * The verified-token cache: keyed by the whole token string, bounded by entries and by weight, each
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
			sizeCalculation: (_value, token) => token.length + ENTRY_OVERHEAD,
			ttl: maxAge * 1000,
			ttlAutopurge: false,
		});
	}

	/** The cached result for this exact token, if still alive. */
	get(token: string): VerifiedToken | undefined {
		return this.lru.get(token);
	}

	/** Stores a verified token until `exp` (Unix seconds) or `maxAge`, whichever is first. */
	set(token: string, value: VerifiedToken, exp: number | undefined, now: number): void {
		const seconds = exp === undefined ? this.maxAge : Math.min(this.maxAge, exp - now);
		const ttl = Math.floor(seconds * 1000);
		// lru-cache reads a ttl of 0 as "forever", so an entry with under a millisecond left is not stored.
		if (ttl < 1) return;
		this.lru.set(token, value, { ttl });
	}

	/** How many entries are held (for tests and metrics). */
	get size(): number {
		return this.lru.size;
	}
}
