import type { KeyObject } from "node:crypto";
import { Discovery } from "./discovery.js";
import { invalidToken } from "./errors.js";
import { JwksCache } from "./jwks-cache.js";
import { candidates, keyFor } from "./keys.js";
import type { ResolvedOptions } from "./options.js";
import type { Algorithm } from "./types.js";

/** Most keys tried for one token (several keys may share a `kid`, or a token may name none). */
const MAX_CANDIDATES = 3;

/**
 * Where the verifier gets keys: the shared secret, one configured JWKS, or one discovered JWKS per
 * issuer. Only the keys of the issuer a token names are ever consulted, and only configured issuers
 * have a cache, so a token cannot make us fetch anything of its choosing.
 */
export class KeySource {
	private readonly caches = new Map<string, JwksCache>();

	constructor(private readonly options: ResolvedOptions) {
		const now = () => Date.now() / 1000;
		if (options.secret) return;
		if (options.jwksUri !== undefined) {
			const shared = new JwksCache(options.jwksUri, options.jwks, now);
			for (const issuer of options.issuers) this.caches.set(issuer, shared);
			return;
		}
		for (const issuer of options.issuers) {
			const discovery = new Discovery(issuer, options.jwks.timeout);
			this.caches.set(issuer, new JwksCache(() => discovery.resolve(), options.jwks, now));
		}
	}

	/** The JWKS cache of a configured issuer (for tests and metrics). */
	cacheOf(issuer: string): JwksCache | undefined {
		return this.caches.get(issuer);
	}

	/**
	 * The keys that may verify a token of `issuer` signed with `alg` and naming `kid`. An unknown `kid`
	 * triggers one refetch (at most one per `cooldown`); still unknown, it is `kid_unknown`.
	 */
	async keysFor(
		issuer: string,
		alg: Algorithm,
		kid: string | undefined,
	): Promise<Array<KeyObject | Uint8Array>> {
		if (this.options.secret) return [this.options.secret];
		const cache = this.caches.get(issuer);
		if (cache === undefined) throw invalidToken("issuer_mismatch");
		let found = candidates(await cache.getKeys(), alg, kid);
		if (found.length === 0) found = candidates(await cache.getKeys(true), alg, kid);
		const keys: KeyObject[] = [];
		for (const candidate of found.slice(0, MAX_CANDIDATES)) {
			const key = await keyFor(candidate, alg);
			if (key !== undefined) keys.push(key);
		}
		if (keys.length === 0) throw invalidToken("kid_unknown");
		return keys;
	}
}
