import type { IncomingMessage } from "node:http";
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from "jose";
import { htuOf } from "./dpop.js";

/** The proof algorithms the token endpoint accepts and its metadata advertises. */
export const TOKEN_DPOP_ALGORITHMS: readonly string[] = [
	"ES256",
	"ES384",
	"ES512",
	"Ed25519",
	"EdDSA",
	"PS256",
	"PS384",
	"PS512",
	"RS256",
	"RS384",
	"RS512",
];

/** How far a proof's `iat` may be from now, in seconds. */
const PROOF_WINDOW = 300;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

function safeHtu(value: unknown): string | undefined {
	if (typeof value !== "string") return undefined;
	try {
		return htuOf(value);
	} catch {
		return undefined;
	}
}

/** A proof the token endpoint refuses with 400 `invalid_dpop_proof` and this message. */
export class InvalidProof extends Error {}

function checkHeader(proof: string): void {
	let header: ReturnType<typeof decodeProtectedHeader>;
	try {
		header = decodeProtectedHeader(proof);
	} catch {
		throw new InvalidProof("The DPoP proof is not a JWT.");
	}
	if (header.typ !== "dpop+jwt") throw new InvalidProof("The DPoP proof's typ must be dpop+jwt.");
	if (typeof header.alg !== "string" || !TOKEN_DPOP_ALGORITHMS.includes(header.alg)) {
		throw new InvalidProof("The DPoP proof's alg is not supported.");
	}
	const jwk = header.jwk as JWK | undefined;
	if (typeof jwk !== "object" || jwk === null) throw new InvalidProof("The DPoP proof has no jwk.");
	if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
		throw new InvalidProof("The DPoP proof's jwk must be a public key.");
	}
}

/**
 * Checks the `DPoP` header of a token request (RFC 9449 §4.3, as a test issuer needs): one
 * header, `typ` `dpop+jwt`, a supported asymmetric `alg`, a public `jwk` whose key verifies
 * the signature, `htm` the request's method, `htu` the endpoint's URL (as advertised, or as
 * the request's `Host` names it), `iat` within 300 s of now and a `jti`. There is no replay
 * check. Returns the RFC 7638 thumbprint of the proof's key: the `cnf.jkt` of the token.
 *
 * @param endpoint - the advertised URL of the endpoint
 * @throws InvalidProof saying what is wrong
 * @example
 * ```ts
 * const jkt = await verifyTokenRequestProof(req, issuer.tokenEndpoint);
 * ```
 */
export async function verifyTokenRequestProof(req: IncomingMessage, endpoint: string): Promise<string> {
	const values = req.headersDistinct.dpop ?? [];
	if (values.length !== 1 || !values[0]) throw new InvalidProof("Send exactly one DPoP header.");
	const proof = values[0];
	checkHeader(proof);
	let payload: Record<string, unknown>;
	let jwk: JWK;
	try {
		const verified = await jwtVerify(proof, EmbeddedJWK, {
			typ: "dpop+jwt",
			algorithms: [...TOKEN_DPOP_ALGORITHMS],
		});
		payload = verified.payload;
		jwk = verified.protectedHeader.jwk as JWK;
	} catch {
		throw new InvalidProof("The DPoP proof's signature or claims are invalid.");
	}
	if (payload.htm !== req.method)
		throw new InvalidProof("The DPoP proof's htm is not this request's method.");
	const path = (req.url ?? "/").split("?")[0];
	const accepted = [safeHtu(endpoint), safeHtu(`http://${req.headers.host ?? ""}${path}`)];
	const htu = safeHtu(payload.htu);
	if (!htu || !accepted.includes(htu)) throw new InvalidProof("The DPoP proof's htu is not this endpoint.");
	const now = Date.now() / 1000;
	if (typeof payload.iat !== "number" || Math.abs(now - payload.iat) > PROOF_WINDOW) {
		throw new InvalidProof("The DPoP proof's iat is not within 300 seconds of now.");
	}
	if (typeof payload.jti !== "string" || payload.jti === "")
		throw new InvalidProof("The DPoP proof has no jti.");
	return calculateJwkThumbprint(jwk, "sha256");
}
