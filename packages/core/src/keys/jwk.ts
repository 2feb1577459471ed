import { KeyObject } from "node:crypto";
import { importJWK, type JWK } from "jose";
import type { Algorithm } from "../types.js";

/** A public signing key from a JWKS, checked for shape, imported lazily per algorithm. */
export interface JwksKey {
	readonly jwk: JWK;
	readonly kid: string | undefined;
	/** Imported keys by algorithm (an RSA key may serve RS256 and PS256). */
	readonly imported: Map<Algorithm, Promise<KeyObject | undefined>>;
}

/** The key type and curve that each algorithm family needs (RFC 7518 §3, RFC 8037). */
function fits(jwk: JWK, alg: Algorithm): boolean {
	switch (alg) {
		case "RS256":
		case "RS384":
		case "RS512":
		case "PS256":
		case "PS384":
		case "PS512":
			return jwk.kty === "RSA";
		case "ES256":
			return jwk.kty === "EC" && jwk.crv === "P-256";
		case "ES384":
			return jwk.kty === "EC" && jwk.crv === "P-384";
		case "ES512":
			return jwk.kty === "EC" && jwk.crv === "P-521";
		case "EdDSA":
			return jwk.kty === "OKP" && (jwk.crv === "Ed25519" || jwk.crv === "Ed448");
		default:
			return false;
	}
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/**
 * Keeps the JWKS members that can verify a signature: an object with a known asymmetric `kty`, no
 * private or symmetric material, `use` absent or `sig`, `key_ops` absent or including `verify`.
 * Everything else (encryption keys, `oct` keys, junk) is dropped, never trusted.
 */
export function toJwksKeys(keys: readonly unknown[]): JwksKey[] {
	const usable: JwksKey[] = [];
	for (const value of keys) {
		if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
		const jwk = value as JWK;
		if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") continue;
		if (PRIVATE_MEMBERS.some((member) => member in jwk)) continue;
		if (jwk.use !== undefined && jwk.use !== "sig") continue;
		if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify")))
			continue;
		if (jwk.kid !== undefined && typeof jwk.kid !== "string") continue;
		if (jwk.alg !== undefined && typeof jwk.alg !== "string") continue;
		usable.push({ jwk, kid: jwk.kid, imported: new Map() });
	}
	return usable;
}

/** The keys that may verify a token with this `alg` and `kid`: matching `kid`, key type and `alg` member. */
export function candidates(keys: readonly JwksKey[], alg: Algorithm, kid: string | undefined): JwksKey[] {
	return keys.filter(
		(key) =>
			(kid === undefined || key.kid === kid) &&
			(key.jwk.alg === undefined || key.jwk.alg === alg) &&
			fits(key.jwk, alg),
	);
}

/** RSA keys under 2048 bits are refused (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048;

async function importKey(jwk: JWK, alg: Algorithm): Promise<KeyObject | undefined> {
	try {
		// jose checks the JWK against the algorithm and imports it; Node's crypto does the verifying.
		const imported = await importJWK({ ...jwk, alg, ext: true }, alg);
		const key = imported instanceof Uint8Array ? undefined : KeyObject.from(imported);
		if (key === undefined || key.type !== "public") return undefined;
		const bits = key.asymmetricKeyDetails?.modulusLength;
		if (key.asymmetricKeyType?.startsWith("rsa") && (bits === undefined || bits < MIN_RSA_BITS))
			return undefined;
		return key;
	} catch {
		return undefined;
	}
}

/** The key as a `KeyObject` for `alg`, imported once; `undefined` when it cannot be imported or is too weak. */
export function keyFor(key: JwksKey, alg: Algorithm): Promise<KeyObject | undefined> {
	let imported = key.imported.get(alg);
	if (imported === undefined) {
		imported = importKey(key.jwk, alg);
		key.imported.set(alg, imported);
	}
	return imported;
}
