import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";

/** Most opaque tokens kept, and most revoked JWTs remembered; the oldest goes first. */
export const REGISTRY_LIMIT = 10_000;

/** The tokens an issuer minted without signing (opaque) and those it revoked. */
export interface TokenRegistry {
	/** Stores an opaque token's introspection claims (with `exp` if it expires) and returns it. */
	issue(claims: Record<string, unknown>): string;
	/** The claims of an opaque token still active, if it is one. */
	lookup(token: string, nowSeconds: number): Record<string, unknown> | undefined;
	/** Forgets an opaque token; remembers a JWT's hash until its `exp`. */
	revoke(token: string): void;
	/** Whether a JWT was revoked. */
	isRevoked(token: string): boolean;
	/** How many opaque and revoked entries are held. */
	readonly size: { readonly opaque: number; readonly revoked: number };
}

function digest(token: string): string {
	return createHash("sha256").update(token, "utf8").digest("base64url");
}

function expiryOf(claims: Record<string, unknown>): number | undefined {
	return typeof claims.exp === "number" ? claims.exp : undefined;
}

/** A map bounded in size: when full, expired entries go (swept once per 1,000 evictions), then the oldest. */
function boundedMap<T>(expiry: (value: T) => number | undefined) {
	const map = new Map<string, T>();
	let evictions = 0;
	const sweep = (): void => {
		const now = Date.now() / 1000;
		for (const [key, value] of map) {
			const exp = expiry(value);
			if (exp !== undefined && exp <= now) map.delete(key);
		}
	};
	return Object.assign(map, {
		add(key: string, value: T): void {
			map.delete(key);
			if (map.size >= REGISTRY_LIMIT && evictions++ % 1000 === 0) sweep();
			if (map.size >= REGISTRY_LIMIT) map.delete(map.keys().next().value as string);
			map.set(key, value);
		},
	});
}

/**
 * A bounded store of opaque tokens and revocations, keyed by the SHA-256 of each token (a
 * token is never kept in clear). At most {@link REGISTRY_LIMIT} of each.
 *
 * @example
 * ```ts
 * const registry = createTokenRegistry();
 * const token = registry.issue({ sub: "user_123", exp: now + 3600 });
 * registry.revoke(token);
 * ```
 */
export function createTokenRegistry(): TokenRegistry {
	const opaque = boundedMap<Record<string, unknown>>(expiryOf);
	const revoked = boundedMap<number | undefined>((exp) => exp);
	return {
		issue(claims) {
			const token = randomBytes(32).toString("base64url");
			opaque.add(digest(token), structuredClone(claims));
			return token;
		},
		lookup(token, nowSeconds) {
			const claims = opaque.get(digest(token));
			if (!claims) return undefined;
			const exp = expiryOf(claims);
			return exp !== undefined && exp <= nowSeconds ? undefined : structuredClone(claims);
		},
		revoke(token) {
			const key = digest(token);
			if (opaque.delete(key)) return;
			let exp: number | undefined;
			try {
				exp = expiryOf(decodeJwt(token));
			} catch {
				exp = undefined;
			}
			revoked.add(key, exp);
		},
		isRevoked: (token) => revoked.has(digest(token)),
		get size() {
			return { opaque: opaque.size, revoked: revoked.size };
		},
	};
}
