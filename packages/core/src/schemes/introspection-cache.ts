/**
 * The introspection cache: keyed by the SHA-256 of the token, bounded in entries. Active tokens are
 * kept until min(`exp`, `cacheMaxAge`), refused ones (inactive, expired, another audience, ...) for 5 s
 * at most, each in a store of its own, so a flood of bad tokens never evicts the good ones. A refused
 * token is kept only as its hash. An active one's `auth` holds the token (as a JWT's does), so a
 * request finds it through an index of the token's last 43 characters, compared whole, as the JWT
 * cache does: a hit costs no hash.
 */
import { hash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { InvalidTokenReason } from "../http/errors.js";
import type { IntrospectedToken } from "./introspection-response.js";

/** The longest a refused token's answer is remembered, in seconds. */
export const REFUSED_MAX_AGE = 5;

interface Active {
	readonly entry: IntrospectedToken;
	/** Unix milliseconds. */
	readonly until: number;
	/** The entry's key in the cache (the token's SHA-256). */
	readonly key: string;
	/** When a hit last marked it as recently used (Unix milliseconds). */
	touched: number;
}

/** A hit marks its entry as recently used at most once per this many milliseconds. */
const TOUCH_INTERVAL_MS = 1000;

/** Characters of the token's end that index active entries (a JWT's signature, an opaque token's randomness). */
const INDEX_LENGTH = 43;

function indexOf(token: string): string {
	return token.length <= INDEX_LENGTH ? token : token.slice(-INDEX_LENGTH);
}

interface Refused {
	readonly reason: InvalidTokenReason;
	/** Unix milliseconds. */
	readonly until: number;
}

/** The cache of one verifier's introspection answers. */
export class IntrospectionCache {
	private readonly active: LRUCache<string, Active>;
	/** Active entries by the token's end, in step with `active` (its evictions remove them here). */
	private readonly index = new Map<string, Active>();
	private readonly refused: LRUCache<string, Refused>;
	private readonly maxAgeMs: number;
	private readonly refusedMs: number;
	/** Answers the cache gave, as a 32-bit counter that wraps (the diagnostics events read it). */
	hits = 0;

	/** `max` entries per store; `maxAge` in seconds. */
	constructor(max: number, maxAge: number) {
		this.active = new LRUCache<string, Active>({
			max,
			dispose: (value) => {
				const at = indexOf(value.entry.auth.token);
				if (this.index.get(at) === value) this.index.delete(at);
			},
		});
		this.refused = new LRUCache<string, Refused>({ max });
		this.maxAgeMs = maxAge * 1000;
		this.refusedMs = Math.min(maxAge, REFUSED_MAX_AGE) * 1000;
	}

	/** The cache key of a token: its SHA-256, base64url (43 characters, whatever the token's length). */
	keyOf(token: string): string {
		return hash("sha256", token, "base64url");
	}

	/**
	 * The cached entry of an active `token` at `now` (Unix milliseconds), found without hashing it, or
	 * `undefined` (then ask {@link IntrospectionCache.get} by its key).
	 */
	hit(token: string, now: number): IntrospectedToken | undefined {
		const active = this.index.get(indexOf(token));
		if (active === undefined || active.entry.auth.token !== token || active.until <= now) return undefined;
		// Read through the cache now and then, so a token in use stays among the most recently used.
		if (now - active.touched >= TOUCH_INTERVAL_MS) {
			active.touched = now;
			this.active.get(active.key);
		}
		this.hits = (this.hits + 1) | 0;
		return active.entry;
	}

	/**
	 * The cached answer for `key` at `now` (Unix milliseconds): the active token's entry, the reason it
	 * was refused, or `undefined` when nothing alive is cached.
	 */
	get(key: string, now: number): IntrospectedToken | InvalidTokenReason | undefined {
		const active = this.active.get(key);
		if (active !== undefined) {
			if (active.until > now) {
				this.hits = (this.hits + 1) | 0;
				return active.entry;
			}
			this.active.delete(key);
		}
		const refused = this.refused.get(key);
		if (refused === undefined) return undefined;
		if (refused.until <= now) {
			this.refused.delete(key);
			return undefined;
		}
		this.hits = (this.hits + 1) | 0;
		return refused.reason;
	}

	/** Keeps an active token's entry until min(`exp` (Unix seconds), now + `cacheMaxAge`). */
	offer(key: string, entry: IntrospectedToken, exp: number | undefined, now: number): void {
		const until = Math.min(now + this.maxAgeMs, exp === undefined ? Infinity : exp * 1000);
		if (until - now < 1) return;
		const active: Active = { entry, until, key, touched: now };
		this.active.set(key, active);
		this.index.set(indexOf(entry.auth.token), active);
	}

	/** Remembers that the token was refused, and why, for a few seconds. */
	refuse(key: string, reason: InvalidTokenReason, now: number): void {
		if (this.refusedMs >= 1) this.refused.set(key, { reason, until: now + this.refusedMs });
	}

	/** How many answers are held, active and refused (for tests and metrics). */
	get size(): { readonly active: number; readonly refused: number } {
		return { active: this.active.size, refused: this.refused.size };
	}
}
