import { createHash, randomUUID, type webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import type { DpopAlgorithm, DpopKey, DpopProofOptions } from "../types.js";
import { publicMembers } from "./key-store.js";
import { seededPrivateJwk } from "./seeded-keys.js";

const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ["ES256", "Ed25519", "EdDSA", "PS256", "RS256"];

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function toDpopKey(
	alg: DpopAlgorithm,
	publicKey: webcrypto.CryptoKey,
	privateKey: webcrypto.CryptoKey,
): Promise<DpopKey> {
	const publicJwk = publicMembers(await exportJWK(publicKey));
	const jkt = await calculateJwkThumbprint(publicJwk, "sha256");
	return Object.freeze({ alg, publicKey, privateKey, publicJwk, jkt });
}

/**
 * Creates a DPoP key pair (RFC 9449) for proofs: ES256 (P-256), Ed25519 or EdDSA (Ed25519),
 * PS256 or RS256 (RSA 2048 bits). Keys are extractable, so they can be exported for a client
 * library.
 *
 * @param alg - the proofs' `alg`; default `'ES256'`
 * @throws TypeError for another algorithm
 * @example
 * ```ts
 * const key = await createDpopKey("Ed25519");
 * const token = await issuer.sign({}, { dpopKey: key }); // cnf: { jkt: key.jkt }
 * ```
 */
export async function createDpopKey(alg: DpopAlgorithm = "ES256"): Promise<DpopKey> {
	if (!DPOP_ALGORITHMS.includes(alg)) {
		throw new TypeError(`createDpopKey supports: ${DPOP_ALGORITHMS.join(", ")}.`);
	}
	const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
	return toDpopKey(alg, publicKey, privateKey);
}

/**
 * The ES256 DPoP key a seed derives (the same in every process).
 *
 * @example
 * ```ts
 * const key = await seededDpopKey("my-test-seed");
 * ```
 */
export async function seededDpopKey(seed: string): Promise<DpopKey> {
	const { d, ...publicJwk } = seededPrivateJwk(seed, "dpop", "ES256");
	const [privateKey, publicKey] = await Promise.all([
		importJWK({ ...publicJwk, d }, "ES256", { extractable: true }),
		importJWK(publicJwk, "ES256", { extractable: true }),
	]);
	return toDpopKey("ES256", publicKey as webcrypto.CryptoKey, privateKey as webcrypto.CryptoKey);
}

/**
 * The `htu` of a request URL (RFC 9449 §4.2): the URL as the WHATWG parser normalises it,
 * without query and fragment.
 *
 * @throws TypeError when the URL is not absolute
 * @example
 * ```ts
 * htuOf("HTTP://Example.COM:80/a?b#c"); // 'http://example.com/a'
 * ```
 */
export function htuOf(url: string | URL): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new TypeError("url must be an absolute URL, e.g. 'http://localhost:3000/v1/products'.");
	}
	parsed.search = "";
	parsed.hash = "";
	return parsed.href;
}

/**
 * The `ath` of an access token (RFC 9449 §4.2): base64url(SHA-256(token)).
 *
 * @example
 * ```ts
 * accessTokenHash(token); // 43 base64url characters
 * ```
 */
export function accessTokenHash(token: string): string {
	return createHash("sha256").update(token, "ascii").digest("base64url");
}

function checkProofOptions(options: DpopProofOptions): void {
	if (typeof options !== "object" || options === null) {
		throw new TypeError("DPoP proof options must be an object with method and url.");
	}
	if (typeof options.method !== "string" || options.method === "") {
		throw new TypeError("method must be an HTTP method such as 'GET'.");
	}
	if (options.token !== undefined && typeof options.token !== "string") {
		throw new TypeError("token must be a string.");
	}
	if (options.iat !== undefined && !Number.isFinite(options.iat)) {
		throw new TypeError("iat must be a finite number of seconds since the epoch.");
	}
	if (options.header !== undefined && !isRecord(options.header)) {
		throw new TypeError("header must be a plain object.");
	}
	if (options.claims !== undefined && !isRecord(options.claims)) {
		throw new TypeError("claims must be a plain object.");
	}
}

/**
 * Signs a DPoP proof JWT (RFC 9449 §4.2) for one request: header `{ typ: 'dpop+jwt', alg,
 * jwk }` (the public JWK), claims `htm`, `htu` (the URL without query and fragment), `iat`
 * (now), `jti` (a random UUID), `ath` when a token is given and `nonce` when given.
 * `header` and `claims` are merged over those, so a test can forge any broken proof.
 *
 * @throws TypeError for a missing method, a relative URL or a bad override
 * @example
 * ```ts
 * const key = await createDpopKey();
 * const proof = await createDpopProof(key, { method: "GET", url: "http://localhost:3000/v1/products", token });
 * await fetch("http://localhost:3000/v1/products", { headers: { authorization: `DPoP ${token}`, dpop: proof } });
 * ```
 */
export async function createDpopProof(key: DpopKey, options: DpopProofOptions): Promise<string> {
	checkProofOptions(options);
	if (!key || typeof key !== "object" || !key.privateKey || !key.publicJwk) {
		throw new TypeError("key must be a DPoP key from createDpopKey().");
	}
	const alg = options.alg ?? key.alg;
	const header = withoutUndefined({ typ: "dpop+jwt", alg, jwk: key.publicJwk, ...options.header });
	const claims = withoutUndefined({
		htm: options.method,
		htu: htuOf(options.url),
		iat: options.iat ?? Math.floor(Date.now() / 1000),
		jti: options.jti ?? randomUUID(),
		ath: options.token === undefined ? undefined : accessTokenHash(options.token),
		nonce: options.nonce,
		...options.claims,
	});
	return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}
