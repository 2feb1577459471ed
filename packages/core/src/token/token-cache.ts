import { LRUCache } from "lru-cache";
import type { AuthResult } from "../types.js";

/** A verified token as cached: the result of signature and claims checks, nothing per-request. */
export interface VerifiedToken {
	readonly auth: AuthResult;
	/** Whether the organization claim is absent or well formed (the 400 is decided per request). */
	readonly organizationValid: boolean;
}

/** A cache entry: the verified token, and when it must be verified afresh (Unix milliseconds). */
interface Entry {
	readonly verified: VerifiedToken;
	readonly until: number;
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

/** Characters of the token's end (its signature's random bits) hashed into the doorkeeper's fingerprint. */
const FINGERPRINT_LENGTH = 16;

/**
 * A 31-bit FNV-1a hash of the token's end: a small integer, so the doorkeeper holds no strings. Two
 * tokens sharing one only let the second into the cache a verification early, never unverified.
 */
function fingerprintOf(token: string): number {
	let hash = 0x811c9dc5;
	for (let i = Math.max(0, token.length - FINGERPRINT_LENGTH); i < token.length; i++) {
		hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
	}
	return hash & 0x7fffffff;
}

/**
 * Remembers which tokens were verified recently, in two generations of `size` fingerprints: a token is
 * remembered for at least `size` and fewer than `2 × size` other verified tokens.
 */
class Doorkeeper {
	private current = new Set<number>();
	private previous = new Set<number>();

	constructor(private readonly size: number) {}

	/** Whether the token was seen before; if not, remembers it now. */
	seen(token: string): boolean {
		const fingerprint = fingerprintOf(token);
		if (this.current.has(fingerprint) || this.previous.has(fingerprint)) return true;
		if (this.current.size >= this.size) {
			this.previous = this.current;
			this.current = new Set();
		}
		this.current.add(fingerprint);
		return false;
	}
}

/**
 * The verified-token cache: keyed by the whole token string (see `get`), bounded by entries and by
 * weight, each entry living no longer than its token's `exp` nor `maxAge`. Only successes are stored,
 * and only from a token's second verification: a token seen once (a one-off, a flood of distinct
 * tokens) costs the cache a fingerprint, not an entry, so it evicts nothing and keeps no memory busy.
 */
export class TokenCache {
	private readonly lru: LRUCache<string, Entry>;
	private readonly doorkeeper: Doorkeeper;
	private readonly maxAgeMs: number;
	/**
	 * Lookups the cache answered, as a 32-bit counter that wraps (a small integer for V8): the
	 * diagnostics events compare it before and after a request to tell a hit.
	 */
	hits = 0;

	constructor(max: number, maxAge: number) {
		this.maxAgeMs = maxAge * 1000;
		// Generations of max / 2: a token verified again only after `max` others or more is never let in,
		// as an LRU of `max` entries would have dropped it before its next use anyway.
		this.doorkeeper = new Doorkeeper(Math.max(1, Math.floor(max / 2)));
		this.lru = new LRUCache<string, Entry>({
			max,
			maxSize: MAX_WEIGHT,
			sizeCalculation: (entry) => entry.verified.auth.token.length + ENTRY_OVERHEAD,
		});
	}

	/**
	 * The cached result for this exact token, if still alive at `now` (Unix seconds). Entries are
	 * indexed by the token's last characters (its signature), which hash far faster than the whole
	 * ~1 KB string a request brings; an entry is returned only when its whole token equals this one,
	 * so no two tokens share a result. The expiry is checked here, with the clock the caller read for
	 * the token's own time claims, rather than by lru-cache, which would read it again.
	 */
	get(token: string, now: number): VerifiedToken | undefined {
		const index = indexOf(token);
		const entry = this.lru.get(index);
		if (entry === undefined || entry.verified.auth.token !== token) return undefined;
		if (entry.until <= now * 1000) {
			this.lru.delete(index);
			return undefined;
		}
		this.hits = (this.hits + 1) | 0;
		return entry.verified;
	}

	/**
	 * Offers a verified token, alive until `exp` (Unix seconds) or `maxAge`, whichever is first: stored
	 * if it was verified before (see {@link Doorkeeper}) and has at least a millisecond to live.
	 * Returns whether it was stored.
	 */
	offer(token: string, verified: VerifiedToken, exp: number | undefined, now: number): boolean {
		const nowMs = now * 1000;
		const until = Math.min(nowMs + this.maxAgeMs, exp === undefined ? Infinity : exp * 1000);
		if (until - nowMs < 1 || !this.doorkeeper.seen(token)) return false;
		this.lru.set(indexOf(token), { verified, until });
		return true;
	}

	/** How many entries are held (for tests and metrics). */
	get size(): number {
		return this.lru.size;
	}
}
