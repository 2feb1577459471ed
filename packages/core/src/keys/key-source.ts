import type { KeyObject } from "node:crypto";
import type { ResolvedOptions } from "../config/options.js";
import { invalidToken } from "../http/errors.js";
import type { Algorithm } from "../types.js";
import { Discovery } from "./discovery.js";
import { candidates, type JwksKey, keyFor } from "./jwk.js";
import { JwksCache } from "./jwks-cache.js";

/** A key the signature may be checked with: a public key, or the shared secret's bytes. */
export type VerifyKey = KeyObject | Uint8Array;

/** Most keys tried for one token (several keys may share a `kid`, or a token may name none). */
const MAX_CANDIDATES = 3;
/** Bound of the imported-keys index (kids × algorithms of the configured issuers). */
const MAX_RESOLVED = 1000;

/** The index key of a lookup; a token without `kid` never shares an entry with one whose `kid` is a string. */
function indexKey(issuer: string, alg: Algorithm, kid: string | undefined): string {
	return kid === undefined ? `${issuer}\u0000${alg}\u0001` : `${issuer}\u0000${alg}\u0000${kid}`;
}

/**
 * Where the verifier gets keys: the shared secret, one configured JWKS, or one discovered JWKS per
 * issuer (issuers whose metadata name the same `jwks_uri` share one cache). Only the keys of the issuer a token names are ever consulted, and only configured issuers
 * have a cache, so a token cannot make us fetch anything of its choosing.
 */
export class KeySource {
	private readonly caches = new Map<string, JwksCache>();
	/**
	 * Imported keys by issuer, alg and kid, with the key set they came from, so the common case (a
	 * cached, fresh JWKS) is answered without waiting. Only non-empty answers are kept: unknown kids add nothing.
	 */
	private readonly resolved = new Map<string, { from: readonly JwksKey[]; keys: VerifyKey[] }>();
	private readonly secretKeys: VerifyKey[] | undefined;
	/** The metadata of each issuer whose keys are discovered (introspection reads its endpoint there too). */
	private readonly discoveries = new Map<string, Discovery>();
	private last:
		| { issuer: string; alg: Algorithm; kid: string | undefined; from: readonly JwksKey[]; keys: VerifyKey[] }
		| undefined;

	constructor(options: ResolvedOptions) {
		const now = () => Date.now() / 1000;
		const { fetch } = options;
		this.secretKeys = options.secret ? [options.secret] : undefined;
		if (options.secret) return;
		if (options.jwksUri !== undefined) {
			const shared = new JwksCache(options.jwksUri, options.jwks, now, fetch);
			for (const issuer of options.issuers) this.caches.set(issuer, shared);
			return;
		}
		// Issuers whose metadata name the same jwks_uri share the first one's cache (bounded by the issuers).
		const byUri = new Map<string, JwksCache>();
		const claim = (uri: string, cache: JwksCache) => {
			const holder = byUri.get(uri);
			if (holder !== undefined) return holder;
			byUri.set(uri, cache);
			return cache;
		};
		for (const issuer of options.issuers) {
			const discovery = new Discovery(issuer, options.jwks.timeout, fetch);
			this.discoveries.set(issuer, discovery);
			this.caches.set(issuer, new JwksCache(() => discovery.resolve(), options.jwks, now, fetch, claim));
		}
	}

	/** The metadata discovery of a configured issuer, when its keys are discovered (else `undefined`). */
	discoveryOf(issuer: string): Discovery | undefined {
		return this.discoveries.get(issuer);
	}

	/** The JWKS cache of a configured issuer (for tests and metrics). */
	cacheOf(issuer: string): JwksCache | undefined {
		return this.caches.get(issuer);
	}

	/**
	 * The keys that may verify a token of `issuer` signed with `alg` and naming `kid`: at once when they
	 * are known and fresh, else after a fetch. An unknown `kid` triggers one refetch (at most one per
	 * `cooldown`); still unknown, it is `kid_unknown`.
	 */
	keysFor(issuer: string, alg: Algorithm, kid: string | undefined): VerifyKey[] | Promise<VerifyKey[]> {
		if (this.secretKeys) return this.secretKeys;
		const cache = this.caches.get(issuer);
		if (cache === undefined) throw invalidToken("issuer_mismatch");
		const fresh = cache.peek();
		if (fresh !== undefined) {
			// Most tokens name the same issuer, algorithm and kid as the one before: skip the index then.
			const last = this.last;
			if (
				last !== undefined &&
				last.from === fresh &&
				last.issuer === issuer &&
				last.alg === alg &&
				last.kid === kid
			) {
				return last.keys;
			}
			const known = this.resolved.get(indexKey(issuer, alg, kid));
			if (known !== undefined && known.from === fresh) {
				this.last = { issuer, alg, kid, from: known.from, keys: known.keys };
				return known.keys;
			}
		}
		return this.load(cache, issuer, alg, kid);
	}

	private async load(
		cache: JwksCache,
		issuer: string,
		alg: Algorithm,
		kid: string | undefined,
	): Promise<VerifyKey[]> {
		let from = await cache.getKeys();
		let found = candidates(from, alg, kid);
		if (found.length === 0) {
			from = await cache.getKeys(true);
			found = candidates(from, alg, kid);
		}
		const keys: VerifyKey[] = [];
		for (const candidate of found.slice(0, MAX_CANDIDATES)) {
			const key = await keyFor(candidate, alg);
			if (key !== undefined) keys.push(key);
		}
		if (keys.length === 0) throw invalidToken("kid_unknown");
		if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear();
		this.resolved.set(indexKey(issuer, alg, kid), { from, keys });
		return keys;
	}
}
