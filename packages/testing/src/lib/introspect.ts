import { createLocalJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { TestAlgorithm } from "../types.js";
import type { KeyStore } from "./key-store.js";
import { isSymmetric, TEST_ALGORITHMS } from "./options.js";
import type { TokenRegistry } from "./token-registry.js";

/** What introspection needs from the issuer. */
export interface IntrospectionSources {
	readonly keys: KeyStore;
	readonly registry: TokenRegistry;
}

/** The answer for an unknown, expired or revoked token: nothing but `active: false`. */
export const INACTIVE: Readonly<Record<string, unknown>> = Object.freeze({ active: false });

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

function tokenType(claims: Record<string, unknown>): string {
	const cnf = claims.cnf;
	const bound = typeof cnf === "object" && cnf !== null && "jkt" in cnf;
	return bound ? "DPoP" : "Bearer";
}

async function ownJwtClaims(
	token: string,
	sources: IntrospectionSources,
): Promise<Record<string, unknown> | undefined> {
	const served = createLocalJWKSet(sources.keys.jwks());
	const getKey: JWTVerifyGetKey = (header, input) =>
		isSymmetric(header.alg as TestAlgorithm) ? sources.keys.secretKey : served(header, input);
	try {
		const { payload } = await jwtVerify(token, getKey, { algorithms: [...TEST_ALGORITHMS] });
		return payload as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/**
 * The RFC 7662 answer for a token: an opaque token the issuer minted and still active gives
 * `{ active: true, ...its claims }`; a JWT the issuer signed (with a key it still serves, or
 * its HS secret) that is within `exp`/`nbf` gives `{ active: true, token_type, ...its claims }`
 * (`token_type` is `'DPoP'` when it has `cnf.jkt`); anything else, and any revoked token,
 * gives `{ active: false }` only.
 *
 * @example
 * ```ts
 * await introspectToken(token, sources); // { active: true, sub: 'user_123', ... }
 * ```
 */
export async function introspectToken(
	token: string,
	sources: IntrospectionSources,
): Promise<Record<string, unknown>> {
	const now = Math.floor(Date.now() / 1000);
	const opaque = sources.registry.lookup(token, now);
	if (opaque) return { active: true, ...opaque };
	if (!JWT_SHAPE.test(token) || sources.registry.isRevoked(token)) return { ...INACTIVE };
	const claims = await ownJwtClaims(token, sources);
	if (!claims) return { ...INACTIVE };
	return Object.assign({ active: true, token_type: tokenType(claims) }, claims, { active: true });
}
