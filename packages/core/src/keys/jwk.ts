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

/** JWK members that hold private or symmetric key material. */
export const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The largest RSA modulus accepted: 8192 bits. A larger one costs every forged token more to refuse. */
export const MAX_RSA_BITS = 8192;
/** The largest RSA public exponent accepted: 2^32 (65537 is the norm; a huge one slows every verification). */
const MAX_RSA_EXPONENT = 2 ** 32;

/** A base64url integer's bytes, without the leading zeros; `undefined` when it is not base64url. */
function unsignedBytes(value: unknown): Buffer | undefined {
	if (typeof value !== "string" || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
	const bytes = Buffer.from(value, "base64url");
	let start = 0;
	while (start < bytes.length && bytes[start] === 0) start++;
	return bytes.subarray(start);
}

/**
 * Whether an RSA key's size and exponent are ones an issuer uses: a modulus of at most 8192 bits and
 * a small odd exponent (3 to 2^32). A larger modulus or exponent makes every signature check, and so
 * every forged token, cost many times a normal one.
 */
export function isReasonableRsaKey(jwk: JWK): boolean {
	const modulus = unsignedBytes(jwk.n);
	const exponent = unsignedBytes(jwk.e);
	if (modulus === undefined || exponent === undefined || modulus.length === 0) return false;
	const bits = (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0] as number));
	if (bits > MAX_RSA_BITS || exponent.length === 0 || exponent.length > 5) return false;
	const e = exponent.readUIntBE(0, exponent.length);
	return e >= 3 && e <= MAX_RSA_EXPONENT && e % 2 === 1;
}

/**
 * Keeps the JWKS members that can verify a signature: an object with a known asymmetric `kty`, no
 * private or symmetric material, `use` absent or `sig`, `key_ops` absent or including `verify`, and for
 * RSA a modulus of at most 8192 bits and a small odd exponent. Everything else (encryption keys, `oct`
 * keys, oversized RSA keys, junk) is dropped, never trusted.
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
		if (jwk.kty === "RSA" && !isReasonableRsaKey(jwk)) continue;
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
/** The smallest RSA modulus accepted, in bits (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;

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
