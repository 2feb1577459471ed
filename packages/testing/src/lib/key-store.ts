import { createSecretKey, type KeyObject, randomBytes, type webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { TestAlgorithm } from "../types.js";
import { isSymmetric } from "./options.js";
import { type SeededAlgorithm, seededBytes, seededPrivateJwk } from "./seeded-keys.js";

/** One asymmetric signing key pair and its published form. */
export interface KeyPairEntry {
	readonly alg: TestAlgorithm;
	readonly kid: string;
	readonly publicKey: webcrypto.CryptoKey;
	readonly privateKey: webcrypto.CryptoKey;
	/** The public JWK as served, with `kid`, `alg` and `use`. */
	readonly jwk: JWK;
}

/** Where the keys come from: given private JWKs first, then the seed, else fresh random keys. */
export interface KeySource {
	/** Derives every key (each generation) and the secret from this string. */
	readonly seed?: string | undefined;
	/** Private JWKs by algorithm, used for generation 0. */
	readonly keys?: ReadonlyMap<TestAlgorithm, JWK> | undefined;
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

const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e"] as const;

/**
 * The public members of a JWK (`kty`, `crv`, `x`, `y`, `n`, `e`), in that order.
 *
 * @example
 * ```ts
 * publicMembers({ kty: "OKP", crv: "Ed25519", x: "...", d: "..." }); // { kty, crv, x }
 * ```
 */
export function publicMembers(jwk: JWK): JWK {
	const entries = PUBLIC_MEMBERS.filter((name) => jwk[name] !== undefined).map((name) => [name, jwk[name]]);
	return Object.fromEntries(entries) as JWK;
}

async function fromPrivateJwk(alg: TestAlgorithm, privateJwk: JWK): Promise<KeyPairEntry> {
	const exported = publicMembers(privateJwk);
	const { kid: givenKid, use, key_ops: _keyOps, alg: _alg, ext: _ext, ...material } = privateJwk;
	const [privateKey, publicKey] = await Promise.all([
		importJWK(material, alg, { extractable: true }),
		importJWK(exported, alg, { extractable: true }),
	]);
	const kid = givenKid ?? (await calculateJwkThumbprint(exported, "sha256"));
	return {
		alg,
		kid,
		publicKey: publicKey as webcrypto.CryptoKey,
		privateKey: privateKey as webcrypto.CryptoKey,
		jwk: { ...exported, kid, alg, use: use ?? "sig" },
	};
}

async function randomKeyPair(alg: TestAlgorithm): Promise<KeyPairEntry> {
	const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
	const exported = await exportJWK(publicKey);
	const kid = await calculateJwkThumbprint(exported, "sha256");
	return { alg, kid, publicKey, privateKey, jwk: { ...exported, kid, alg, use: "sig" } };
}

async function createKeyPair(
	alg: TestAlgorithm,
	generation: number,
	source: KeySource,
): Promise<KeyPairEntry> {
	const given = generation === 0 ? source.keys?.get(alg) : undefined;
	if (given) {
		try {
			return await fromPrivateJwk(alg, given);
		} catch (error) {
			throw new TypeError(`keys: the ${alg} key is not a valid private JWK for ${alg}.`, { cause: error });
		}
	}
	if (source.seed === undefined) return randomKeyPair(alg);
	const jwk = seededPrivateJwk(source.seed, `keys/${generation}`, alg as SeededAlgorithm);
	return fromPrivateJwk(alg, jwk);
}

/**
 * Creates the issuer's keys: one key pair per asymmetric algorithm (RSA 2048 bits; P-256,
 * P-384, P-521; Ed25519) and a 64-byte shared secret. A given private JWK is used as is; with
 * a seed, every key of every generation (and the secret) is derived from it, so two stores
 * with one seed hold the same keys; else keys are random. Kids are RFC 7638 SHA-256
 * thumbprints unless a given JWK has its own.
 *
 * @throws TypeError when a given private JWK cannot be imported for its algorithm
 * @example
 * ```ts
 * const keys = await createKeyStore(["RS256", "HS256"], { seed: "my-test-seed" });
 * keys.jwks().keys.length; // 1
 * ```
 */
export async function createKeyStore(
	algorithms: readonly TestAlgorithm[],
	source: KeySource = {},
): Promise<KeyStore> {
	const asymmetric = algorithms.filter((alg) => !isSymmetric(alg));
	const secretBytes = source.seed === undefined ? randomBytes(64) : seededBytes(source.seed, "hs-secret", 64);
	const secret = secretBytes.toString("base64url");
	const secretKey = createSecretKey(new TextEncoder().encode(secret));
	let generation = 0;
	const generate = async (): Promise<Map<TestAlgorithm, KeyPairEntry>> => {
		const entries = await Promise.all(asymmetric.map((alg) => createKeyPair(alg, generation, source)));
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
			generation++;
			const next = await generate();
			const fresh = [...next.values()].map((entry) => entry.jwk);
			pairs = next;
			served = keepOld ? [...fresh, ...served] : fresh;
		},
	};
}
