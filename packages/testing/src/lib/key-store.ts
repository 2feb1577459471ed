import { createSecretKey, type KeyObject, randomBytes, type webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import type { TestAlgorithm } from "../types.js";
import { isSymmetric } from "./options.js";

/** One asymmetric signing key pair and its published form. */
export interface KeyPairEntry {
	readonly alg: TestAlgorithm;
	readonly kid: string;
	readonly publicKey: webcrypto.CryptoKey;
	readonly privateKey: webcrypto.CryptoKey;
	/** The public JWK as served, with `kid`, `alg` and `use`. */
	readonly jwk: JWK;
}

/** The issuer's keys: one pair per asymmetric algorithm, one shared secret, the served JWKS. */
export interface KeyStore {
	/** The HS shared secret, base64url. */
	readonly secret: string;
	/** The secret as a key object, for every HS algorithm. */
	readonly secretKey: KeyObject;
	/** The current key pair for an asymmetric algorithm, if configured. */
	current(alg: TestAlgorithm): KeyPairEntry | undefined;
	/** A deep copy of the served public JWKS. */
	jwks(): { keys: JWK[] };
	/** Replaces every key pair; the previously served keys stay served after the new ones if `keepOld`. */
	rotate(keepOld: boolean): Promise<void>;
}

async function createKeyPair(alg: TestAlgorithm): Promise<KeyPairEntry> {
	const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
	const exported = await exportJWK(publicKey);
	const kid = await calculateJwkThumbprint(exported, "sha256");
	return { alg, kid, publicKey, privateKey, jwk: { ...exported, kid, alg, use: "sig" } };
}

/**
 * Generates one key pair per asymmetric algorithm (RSA 2048 bits; P-256, P-384, P-521;
 * Ed25519) and a 64-byte shared secret. Kids are RFC 7638 SHA-256 thumbprints.
 *
 * @example
 * ```ts
 * const keys = await createKeyStore(["RS256", "HS256"]);
 * keys.jwks().keys.length; // 1
 * ```
 */
export async function createKeyStore(algorithms: readonly TestAlgorithm[]): Promise<KeyStore> {
	const asymmetric = algorithms.filter((alg) => !isSymmetric(alg));
	const secret = randomBytes(64).toString("base64url");
	const secretKey = createSecretKey(new TextEncoder().encode(secret));
	const generate = async (): Promise<Map<TestAlgorithm, KeyPairEntry>> => {
		const entries = await Promise.all(asymmetric.map(createKeyPair));
		return new Map(entries.map((entry) => [entry.alg, entry]));
	};

	let pairs = await generate();
	let served: JWK[] = [...pairs.values()].map((entry) => entry.jwk);

	return {
		secret,
		secretKey,
		current: (alg) => pairs.get(alg),
		jwks: () => ({ keys: structuredClone(served) }),
		async rotate(keepOld) {
			const next = await generate();
			const fresh = [...next.values()].map((entry) => entry.jwk);
			pairs = next;
			served = keepOld ? [...fresh, ...served] : fresh;
		},
	};
}
