import { constants, createHmac, KeyObject, randomUUID, sign, type webcrypto } from "node:crypto";

/**
 * Hand-made tokens: any header and payload text, signed with any key, or not at all. jose refuses to
 * sign most of what an attacker sends (duplicate members, `alg: none`, HS256 with a PEM), so the
 * catalog and the fuzzers build compact JWS themselves with node:crypto.
 */

/** A segment's content: raw JSON text (a string, sent as is), raw bytes, or a value to JSON-encode. */
export type SegmentInput = string | Uint8Array | Record<string, unknown> | unknown[];

/** base64url of a segment's content. */
export function segment(input: SegmentInput): string {
	if (typeof input === "string") return Buffer.from(input, "utf8").toString("base64url");
	if (input instanceof Uint8Array) return Buffer.from(input).toString("base64url");
	return Buffer.from(JSON.stringify(input), "utf8").toString("base64url");
}

/** Any key a test signs with: a KeyObject, a WebCrypto key (as the test issuer hands out), or HMAC bytes. */
export type AnyKey = KeyObject | webcrypto.CryptoKey | Uint8Array | string;

const HASH: Readonly<Record<string, string>> = { "256": "sha256", "384": "sha384", "512": "sha512" };

function toKeyObject(key: AnyKey): KeyObject {
	if (key instanceof KeyObject) return key;
	return KeyObject.from(key as webcrypto.CryptoKey);
}

/** Signs `input` as JWS algorithm `alg` would (ECDSA in JOSE's r||s form). */
export function signature(alg: string, key: AnyKey, input: string): Buffer {
	const data = Buffer.from(input, "latin1");
	const hash = HASH[alg.slice(2)] ?? "sha256";
	if (alg.startsWith("HS")) {
		const secret = typeof key === "string" || key instanceof Uint8Array ? key : toKeyObject(key);
		return createHmac(hash, secret).update(data).digest();
	}
	const keyObject = toKeyObject(key);
	if (alg.startsWith("PS")) {
		return sign(hash, data, {
			key: keyObject,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
		});
	}
	if (alg.startsWith("ES")) return sign(hash, data, { key: keyObject, dsaEncoding: "ieee-p1363" });
	if (alg === "EdDSA") return sign(null, data, keyObject);
	return sign(hash, data, keyObject);
}

/** What {@link forge} builds a token from. */
export interface ForgeInput {
	header: SegmentInput;
	payload: SegmentInput;
	/** Sign as this algorithm with `key`; without it, `sig` (or nothing) is the third segment. */
	alg?: string;
	key?: AnyKey;
	/** Raw signature bytes, used when no key is given. */
	sig?: Uint8Array;
}

/** A compact JWS from any header and payload, signed as asked. */
export function forge({ header, payload, alg, key, sig }: ForgeInput): string {
	const input = `${segment(header)}.${segment(payload)}`;
	if (key !== undefined) return `${input}.${signature(alg ?? "RS256", key, input).toString("base64url")}`;
	return `${input}.${sig === undefined ? "" : Buffer.from(sig).toString("base64url")}`;
}

/** Who the default claims are for. */
export interface Audience {
	readonly issuer: string;
	readonly audience: string;
}

/** RFC 9068 claims of a token valid for an hour, with `extra` merged over them (`undefined` removes one). */
export function claims(target: Audience, extra: Record<string, unknown> = {}): Record<string, unknown> {
	const now = Math.floor(Date.now() / 1000);
	const merged: Record<string, unknown> = {
		iss: target.issuer,
		sub: "user_123",
		aud: target.audience,
		client_id: "client_1",
		iat: now,
		exp: now + 3600,
		jti: randomUUID(),
		...extra,
	};
	for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
	return merged;
}

/** The three segments of a compact token. */
export function parts(token: string): [string, string, string] {
	const [h = "", p = "", s = ""] = token.split(".");
	return [h, p, s];
}

/** Order of P-256, the curve of ES256 (SEC 2 §2.4.2). */
export const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

/** A 32-byte big-endian integer. */
export function int32(value: bigint): Buffer {
	return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

/** Replaces the signature segment of an ES256 token with `r || s`. */
export function withEcdsa(token: string, r: bigint, s: bigint): string {
	const [h, p] = parts(token);
	return `${h}.${p}.${Buffer.concat([int32(r), int32(s)]).toString("base64url")}`;
}

/** The `(r, s)` of an ES256 token's signature. */
export function ecdsaOf(token: string): { r: bigint; s: bigint } {
	const bytes = Buffer.from(parts(token)[2], "base64url");
	return {
		r: BigInt(`0x${bytes.subarray(0, 32).toString("hex")}`),
		s: BigInt(`0x${bytes.subarray(32).toString("hex")}`),
	};
}
