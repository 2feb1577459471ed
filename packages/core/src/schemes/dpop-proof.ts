/**
 * A DPoP proof (RFC 9449 §4.2) read and checked on its own (§4.3 steps 2 to 7): a compact JWS, `typ`
 * `dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` of the matching type (private members refused),
 * the signature, and the claims' types. What ties it to the request (method, URL, time, token, nonce,
 * replay) is checked by `dpop.ts`.
 */
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { invalidDpopProof } from "../http/errors.js";
import { isReasonableRsaKey } from "../keys/jwk.js";
import { decodeSegment, parseObject } from "../token/json.js";
import { verifySignature } from "../token/jws.js";
import type { Algorithm } from "../types.js";

/** A proof's signed claims and its key's thumbprint, once its signature has been verified. */
export interface CheckedProof {
	/** RFC 7638 SHA-256 thumbprint of the proof's `jwk`, base64url. */
	readonly jkt: string;
	readonly jti: string;
	readonly htm: string;
	readonly htu: string;
	readonly iat: number;
	readonly ath: string | undefined;
	readonly nonce: string | undefined;
}

/** The longest proof read: an RSA-8192 `jwk` and its signature fit; anything longer is malformed. */
export const MAX_PROOF_LENGTH = 8192;
/** The longest `jti` accepted (the replay store keys a hash of it, but a huge one is no proof). */
const MAX_JTI_LENGTH = 256;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Members that only a private (or symmetric) JWK has. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

/** The curve (or key type) each `alg` needs. */
const KEY_FOR: Readonly<Record<string, { readonly kty: string; readonly crv?: readonly string[] }>> = {
	ES256: { kty: "EC", crv: ["P-256"] },
	ES384: { kty: "EC", crv: ["P-384"] },
	ES512: { kty: "EC", crv: ["P-521"] },
	Ed25519: { kty: "OKP", crv: ["Ed25519"] },
	EdDSA: { kty: "OKP", crv: ["Ed25519", "Ed448"] },
	RS256: { kty: "RSA" },
	RS384: { kty: "RSA" },
	RS512: { kty: "RSA" },
	PS256: { kty: "RSA" },
	PS384: { kty: "RSA" },
	PS512: { kty: "RSA" },
};

/** What a proof header yields once: its parsed members, the imported key and its thumbprint. */
interface ProofHeader {
	readonly alg: string;
	readonly key: KeyObject;
	readonly jkt: string;
}

/**
 * Headers by their base64url text. A client signs every proof with the same key, so its header text
 * repeats: the JWK import and the thumbprint are done once per client key. Cleared when full, so junk
 * headers cannot grow it.
 */
const headers = new Map<string, ProofHeader>();
/** The most proof headers held (module-wide, every verifier of the process together). */
export const MAX_HEADERS = 1024;

/** How many proof headers the module-wide cache holds now (for tests and metrics; never above {@link MAX_HEADERS}). */
export function cachedProofHeaders(): number {
	return headers.size;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBase64url(value: unknown): value is string {
	return typeof value === "string" && value.length > 0 && /^[A-Za-z0-9_-]+$/.test(value);
}

/** RFC 7638: the required members of the public key, in lexicographic order, hashed with SHA-256. */
function thumbprintOf(jwk: Record<string, string>, members: readonly string[]): string {
	const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(",")}}`;
	return createHash("sha256").update(canonical).digest("base64url");
}

/** The public key of a proof's `jwk`, checked against `alg`; a private or unusable one is refused. */
function importProofKey(jwk: unknown, alg: string): { key: KeyObject; jkt: string } {
	if (!isRecord(jwk)) throw invalidDpopProof("dpop_proof_key");
	if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name))) throw invalidDpopProof("dpop_proof_key");
	const expected = KEY_FOR[alg];
	if (expected === undefined || jwk.kty !== expected.kty) throw invalidDpopProof("dpop_proof_key");
	let members: readonly string[];
	if (jwk.kty === "EC") members = ["crv", "kty", "x", "y"];
	else if (jwk.kty === "OKP") members = ["crv", "kty", "x"];
	else members = ["e", "kty", "n"];
	const pub: Record<string, string> = { kty: jwk.kty };
	for (const name of members) {
		if (name === "kty") continue;
		const value = jwk[name];
		if (name === "crv" ? typeof value !== "string" : !isBase64url(value))
			throw invalidDpopProof("dpop_proof_key");
		pub[name] = value as string;
	}
	if (expected.crv !== undefined && !expected.crv.includes(pub.crv as string))
		throw invalidDpopProof("dpop_proof_key");
	if (jwk.kty === "RSA" && !isReasonableRsaKey(pub)) throw invalidDpopProof("dpop_proof_key");
	let key: KeyObject;
	try {
		key = createPublicKey({ key: pub, format: "jwk" });
	} catch (cause) {
		throw invalidDpopProof("dpop_proof_key", cause);
	}
	if (jwk.kty === "RSA" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
		throw invalidDpopProof("dpop_proof_key");
	}
	return { key, jkt: thumbprintOf(pub, members) };
}

function readHeader(segment: string, algorithms: ReadonlySet<string>): ProofHeader {
	const cached = headers.get(segment);
	if (cached !== undefined) {
		if (!algorithms.has(cached.alg)) throw invalidDpopProof("dpop_proof_alg");
		return cached;
	}
	const header = parseObject(decodeSegment(segment));
	if (header === undefined) throw invalidDpopProof("dpop_proof_malformed");
	// §4.3 step 4: the explicit type; media types compare without case.
	if (typeof header.typ !== "string" || header.typ.toLowerCase() !== "dpop+jwt")
		throw invalidDpopProof("dpop_proof_typ");
	if (typeof header.alg !== "string" || !algorithms.has(header.alg)) throw invalidDpopProof("dpop_proof_alg");
	// No extension is understood, so none may be critical (RFC 7515 §4.1.11).
	if (header.crit !== undefined) throw invalidDpopProof("dpop_proof_malformed");
	const { key, jkt } = importProofKey(header.jwk, header.alg);
	const entry: ProofHeader = { alg: header.alg, key, jkt };
	if (headers.size >= MAX_HEADERS) headers.clear();
	headers.set(segment, entry);
	return entry;
}

/**
 * Reads a proof and verifies its signature with its own `jwk`. Throws the 401 `invalid_dpop_proof`:
 * `dpop_proof_malformed`, `dpop_proof_typ`, `dpop_proof_alg`, `dpop_proof_key`, `dpop_proof_signature`.
 *
 * @example
 * ```ts
 * const proof = checkProof(req.headers.dpop, new Set(['ES256'])) // { jkt, jti, htm, htu, iat, ath, nonce }
 * ```
 */
export function checkProof(proof: string, algorithms: ReadonlySet<string>): CheckedProof {
	if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof))
		throw invalidDpopProof("dpop_proof_malformed");
	const first = proof.indexOf(".");
	const second = proof.indexOf(".", first + 1);
	const header = readHeader(proof.slice(0, first), algorithms);
	const signature = Buffer.from(proof.slice(second + 1), "base64url");
	if (!verifySignature(header.alg as Algorithm, proof.slice(0, second), signature, header.key)) {
		throw invalidDpopProof("dpop_proof_signature");
	}
	const payload = parseObject(decodeSegment(proof.slice(first + 1, second)));
	if (payload === undefined) throw invalidDpopProof("dpop_proof_malformed");
	const { jti, htm, htu, iat, ath, nonce } = payload;
	if (
		typeof jti !== "string" ||
		jti.length === 0 ||
		jti.length > MAX_JTI_LENGTH ||
		typeof htm !== "string" ||
		typeof htu !== "string" ||
		typeof iat !== "number" ||
		!Number.isFinite(iat) ||
		(ath !== undefined && typeof ath !== "string") ||
		(nonce !== undefined && typeof nonce !== "string")
	) {
		throw invalidDpopProof("dpop_proof_malformed");
	}
	return { jkt: header.jkt, jti, htm, htu, iat, ath, nonce };
}
