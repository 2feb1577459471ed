import { constants, createHmac, KeyObject, sign, type webcrypto } from "node:crypto";

/** base64url of a JSON value, or of a string taken verbatim (to write JSON that `JSON.stringify` never would). */
export function segment(value: unknown): string {
	return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** A key as the test issuer hands it out, or raw bytes for HMAC. */
export type AnyKey = KeyObject | webcrypto.CryptoKey | Uint8Array;

/** A test issuer's key (a CryptoKey) as a node:crypto KeyObject. */
export function toKeyObject(key: KeyObject | webcrypto.CryptoKey | Uint8Array): KeyObject {
	if (key instanceof Uint8Array) throw new TypeError("a secret is not an asymmetric key");
	return key instanceof KeyObject ? key : KeyObject.from(key);
}

/** Signs `data` as JWS `alg` does, with node:crypto alone (so keys jose refuses, e.g. RSA 1024, work too). */
export function rawSign(alg: string, data: Buffer, key: AnyKey): Buffer {
	const hash = `sha${alg.slice(2)}`;
	if (alg.startsWith("HS")) {
		const secret = key instanceof Uint8Array ? key : toKeyObject(key);
		return createHmac(hash, secret).update(data).digest();
	}
	const privateKey = toKeyObject(key as KeyObject | webcrypto.CryptoKey);
	if (alg.startsWith("RS")) return sign(hash, data, privateKey);
	if (alg.startsWith("PS")) {
		return sign(hash, data, {
			key: privateKey,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
		});
	}
	if (alg.startsWith("ES")) return sign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" });
	return sign(null, data, privateKey);
}

/**
 * Builds a compact JWS from a header and a payload (objects, or JSON texts taken verbatim) signed with
 * `key` for `signAlg` (default: the header's `alg`).
 */
export function forge(
	header: object | string,
	payload: object | string,
	key: AnyKey,
	signAlg?: string,
): string {
	const input = `${segment(header)}.${segment(payload)}`;
	const alg =
		signAlg ??
		(JSON.parse(typeof header === "string" ? header : JSON.stringify(header)) as { alg: string }).alg;
	return `${input}.${rawSign(alg, Buffer.from(input), key).toString("base64url")}`;
}

/** Replaces the signature of a compact JWS. */
export function withSignature(token: string, signature: Buffer | string): string {
	const text = typeof signature === "string" ? signature : signature.toString("base64url");
	return `${token.slice(0, token.lastIndexOf("."))}.${text}`;
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
	const [h, p] = token.split(".") as [string, string];
	return {
		header: JSON.parse(Buffer.from(h, "base64url").toString()) as Record<string, unknown>,
		payload: JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>,
	};
}

/** The order of the P-256 group (SEC 2), for the malleable ECDSA signature `(r, n - s)`. */
const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

/** The other valid ES256 signature of the same token: `s` replaced by `n - s`. */
export function malleateEs256(token: string): string {
	const signature = Buffer.from(token.slice(token.lastIndexOf(".") + 1), "base64url");
	const r = signature.subarray(0, 32);
	const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
	const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, "0"), "hex");
	return withSignature(token, Buffer.concat([r, flipped]));
}
