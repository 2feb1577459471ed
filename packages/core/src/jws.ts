import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from "node:crypto";
import { invalidToken } from "./errors.js";
import { decodeSegment, parseObject } from "./json.js";
import type { Algorithm } from "./types.js";

/** A compact JWS split and decoded, not yet verified. */
export interface DecodedJws {
	readonly header: Record<string, unknown>;
	readonly payload: Record<string, unknown>;
	/** `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers. */
	readonly signingInput: string;
	readonly signature: Buffer;
	readonly alg: string;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Splits and decodes a compact JWS: exactly three non-empty base64url segments, a header and a payload
 * that are JSON objects without duplicate members, a string `alg`. Anything else (a JWE's five
 * segments, padding, whitespace) is `token_malformed`.
 */
export function decodeJws(token: string): DecodedJws {
	const first = token.indexOf(".");
	const second = token.indexOf(".", first + 1);
	if (first < 1 || second < 0 || token.indexOf(".", second + 1) !== -1 || second === token.length - 1) {
		throw invalidToken("token_malformed");
	}
	const h = token.slice(0, first);
	const p = token.slice(first + 1, second);
	const s = token.slice(second + 1);
	if (!SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s)) throw invalidToken("token_malformed");
	const header = parseObject(decodeSegment(h));
	const payload = header && parseObject(decodeSegment(p));
	if (!header || !payload || typeof header.alg !== "string") throw invalidToken("token_malformed");
	return {
		header,
		payload,
		signingInput: token.slice(0, second),
		signature: Buffer.from(s, "base64url"),
		alg: header.alg,
	};
}

const HASH: Readonly<Record<string, string>> = { "256": "sha256", "384": "sha384", "512": "sha512" };
/** ECDSA signature length (r || s) per algorithm, RFC 7518 §3.4. */
const ECDSA_LENGTH: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/**
 * Verifies a signature with Node's crypto, synchronously: RSASSA-PKCS1-v1_5, RSASSA-PSS (salt length =
 * hash length, RFC 7518 §3.5), ECDSA in JOSE's r||s form with its exact length, EdDSA, and HMAC compared
 * in constant time. The key's type was matched to `alg` before (see `keys.ts`).
 */
export function verifySignature(
	alg: Algorithm,
	signingInput: string,
	signature: Buffer,
	key: KeyObject | Uint8Array,
): boolean {
	const data = Buffer.from(signingInput, "latin1");
	const family = alg.slice(0, 2);
	const hash = HASH[alg.slice(2)];
	if (family === "HS") {
		const expected = createHmac(hash as string, key as Uint8Array)
			.update(data)
			.digest();
		return expected.length === signature.length && timingSafeEqual(expected, signature);
	}
	const publicKey = key as KeyObject;
	try {
		switch (family) {
			case "RS":
				return verify(hash as string, data, publicKey, signature);
			case "PS":
				return verify(
					hash as string,
					data,
					{
						key: publicKey,
						padding: constants.RSA_PKCS1_PSS_PADDING,
						saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
					},
					signature,
				);
			case "ES":
				if (signature.length !== ECDSA_LENGTH[alg]) return false;
				return verify(hash as string, data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
			default:
				return verify(null, data, publicKey, signature);
		}
	} catch {
		// OpenSSL refuses some malformed signatures by throwing; to us they are simply not valid.
		return false;
	}
}
