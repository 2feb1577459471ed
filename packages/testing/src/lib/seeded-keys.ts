import { createECDH, createPrivateKey, type JsonWebKey } from "node:crypto";
import type { JWK } from "jose";
import type { TestAlgorithm } from "../types.js";
import { createDrbg, type Drbg } from "./drbg.js";
import { seededRsaJwk } from "./seeded-rsa.js";

/** An asymmetric algorithm whose key a seed can derive. */
export type SeededAlgorithm = Exclude<TestAlgorithm, "HS256" | "HS384" | "HS512">;

interface Curve {
	readonly crv: "P-256" | "P-384" | "P-521";
	/** OpenSSL's name of the curve, for `createECDH`. */
	readonly openssl: string;
	/** Bytes of a coordinate and of the private scalar. */
	readonly size: number;
	/** The order of the base point. */
	readonly order: bigint;
}

/** The NIST curves of the ES algorithms, with what a derivation needs of each. */
export const EC_CURVES: Readonly<Record<"ES256" | "ES384" | "ES512", Curve>> = {
	ES256: {
		crv: "P-256",
		openssl: "prime256v1",
		size: 32,
		order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
	},
	ES384: {
		crv: "P-384",
		openssl: "secp384r1",
		size: 48,
		order:
			0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
	},
	ES512: {
		crv: "P-521",
		openssl: "secp521r1",
		size: 66,
		order:
			0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
	},
};

/** The PKCS #8 DER prefix of an Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** Most derived keys kept in memory per process; the oldest is forgotten first. */
const CACHE_LIMIT = 64;
const cache = new Map<string, JWK>();

function seededEcJwk(drbg: Drbg, curve: Curve): JWK {
	// 8 extra bytes make the bias of the modular reduction negligible.
	const wide = BigInt(`0x${drbg.bytes(curve.size + 8).toString("hex")}`);
	const scalar = (wide % (curve.order - 1n)) + 1n;
	const d = Buffer.from(scalar.toString(16).padStart(curve.size * 2, "0"), "hex");
	const ecdh = createECDH(curve.openssl);
	ecdh.setPrivateKey(d);
	const point = ecdh.getPublicKey();
	return {
		kty: "EC",
		crv: curve.crv,
		x: point.subarray(1, 1 + curve.size).toString("base64url"),
		y: point.subarray(1 + curve.size).toString("base64url"),
		d: d.toString("base64url"),
	};
}

function seededEd25519Jwk(drbg: Drbg): JWK {
	const key = createPrivateKey({
		key: Buffer.concat([ED25519_PKCS8_PREFIX, drbg.bytes(32)]),
		format: "der",
		type: "pkcs8",
	});
	return key.export({ format: "jwk" }) as JWK;
}

function derive(drbg: Drbg, alg: SeededAlgorithm): JWK {
	if (alg === "EdDSA") return seededEd25519Jwk(drbg);
	if (alg === "ES256" || alg === "ES384" || alg === "ES512") return seededEcJwk(drbg, EC_CURVES[alg]);
	return seededRsaJwk(drbg, 2048);
}

/**
 * The private JWK (no `kid`, `alg` or `use`) that a seed derives for an algorithm under a
 * label: RSA 2048 bits for RS* and PS*, P-256/P-384/P-521 for ES*, Ed25519 for EdDSA. The
 * same seed, label and algorithm give the same key in every process; results are cached in
 * memory (at most 64 keys). An RSA key takes tens of milliseconds the first time.
 *
 * @param label - separates independent keys of one seed, e.g. `'keys/0'` (generation 0)
 * @example
 * ```ts
 * const jwk = seededPrivateJwk("my-test-seed", "keys/0", "ES256"); // { kty: 'EC', crv: 'P-256', ... }
 * ```
 */
export function seededPrivateJwk(seed: string, label: string, alg: SeededAlgorithm): JWK {
	const id = JSON.stringify([seed, label, alg]);
	const cached = cache.get(id);
	if (cached) return structuredClone(cached);
	const jwk = derive(createDrbg(seed, `bearerguard-testing/v1/${label}/${alg}`), alg);
	createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
	if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
	cache.set(id, jwk);
	return structuredClone(jwk);
}

/**
 * Deterministic bytes from a seed under a label (for secrets and identifiers derived from it).
 *
 * @example
 * ```ts
 * seededBytes("my-test-seed", "hs-secret", 64).length; // 64
 * ```
 */
export function seededBytes(seed: string, label: string, length: number): Buffer {
	return createDrbg(seed, `bearerguard-testing/v1/${label}`).bytes(length);
}
