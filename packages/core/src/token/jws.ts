import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from "node:crypto";
import { invalidToken } from "../http/errors.js";
import type { Algorithm } from "../types.js";
import { decodeSegment, deepFreeze, parseObject } from "./json.js";
import { scratchBytes } from "./scratch.js";

/** A compact JWS split and decoded, not yet verified. */
export interface DecodedJws {
	readonly header: Record<string, unknown>;
	readonly payload: Record<string, unknown>;
	/** `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers. */
	readonly signingInput: string;
	readonly signature: Buffer;
	readonly alg: string;
}

/**
 * Three base64url segments, the signature possibly empty (an unsecured JWS, refused for its `alg`
 * next): a compact JWS and nothing else (no padding, no spaces, no JWE).
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Decoded headers by their base64url text. An issuer's tokens share a handful of headers, so this saves a
 * parse per token; it is cleared when full, so junk headers cannot grow it.
 */
const headers = new Map<string, Record<string, unknown>>();
const MAX_HEADERS = 256;

function decodeHeader(segment: string): Record<string, unknown> | undefined {
	let header = headers.get(segment);
	if (header === undefined) {
		header = parseObject(decodeSegment(segment));
		if (header === undefined) return undefined;
		deepFreeze(header);
		if (headers.size >= MAX_HEADERS) headers.clear();
		headers.set(segment, header);
	}
	return header;
}

/** The 6-bit value of a base64url character (its code), the alphabet checked before. */
function sextet(code: number): number {
	if (code >= 97) return code - 71; // a-z: 26..51
	if (code === 95) return 63; // _
	if (code >= 65) return code - 65; // A-Z: 0..25
	if (code >= 48) return code + 4; // 0-9: 52..61
	return 62; // -
}

/**
 * Whether the signature segment (the token's end, after the dot at `dot`) is the one canonical
 * base64url spelling of its bytes: its last character may not set bits that decoding drops. Without
 * this, a signature could be re-spelled into another token string that verifies the same. The header
 * and payload need no such check: the signature covers their exact characters.
 */
function hasCanonicalEnd(token: string, dot: number): boolean {
	const length = token.length - dot - 1;
	if (length === 0) return true;
	const last = sextet(token.charCodeAt(token.length - 1));
	switch (length % 4) {
		case 1:
			return false;
		case 2:
			return (last & 0b1111) === 0;
		case 3:
			return (last & 0b11) === 0;
		default:
			return true;
	}
}

/**
 * Splits and decodes a compact JWS: exactly three base64url segments (the signature may be empty), a header and a payload
 * that are JSON objects without duplicate members, a string `alg`. Anything else (a JWE's five
 * segments, padding, whitespace) is `token_malformed`.
 */
export function decodeJws(token: string): DecodedJws {
	if (!COMPACT_JWS.test(token)) throw invalidToken("token_malformed");
	const first = token.indexOf(".");
	const second = token.indexOf(".", first + 1);
	const header = decodeHeader(token.slice(0, first));
	const payload = header && parseObject(decodeSegment(token.slice(first + 1, second)));
	if (!header || !payload || typeof header.alg !== "string") throw invalidToken("token_malformed");
	if (!hasCanonicalEnd(token, second)) throw invalidToken("token_malformed");
	return {
		header,
		payload,
		signingInput: token.slice(0, second),
		signature: Buffer.from(token.slice(second + 1), "base64url"),
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
	// The token is ASCII (its grammar was checked), so its latin1 bytes are the signed bytes.
	const data = scratchBytes(signingInput, "latin1");
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
