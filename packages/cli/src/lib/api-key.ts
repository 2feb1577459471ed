/**
 * A new API key and its hash, in bearerguard's format: `bgk_` + 43 base62 characters (256 random
 * bits) + 6 base62 characters of CRC-32 (so a mistyped key is refused without a lookup, and secret
 * scanners can find leaked ones); the hash is the lowercase hex SHA-256 of the whole key.
 * (The core's `generateApiKey()` makes the same keys; this is the CLI's own until it is used.)
 */
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

/** The fixed prefix of every key. */
export const API_KEY_PREFIX = "bgk_";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;

/** A non-negative integer in base62, left-padded with `0` to `length` characters. */
export function base62(value: bigint, length: number): string {
	let digits = "";
	let rest = value;
	while (rest > 0n) {
		digits = ALPHABET[Number(rest % 62n)] + digits;
		rest /= 62n;
	}
	return digits.padStart(length, "0");
}

/** The check characters of a key's `bgk_` + body. */
export function apiKeyCheck(prefixAndBody: string): string {
	return base62(BigInt(crc32(Buffer.from(prefixAndBody, "utf8"))), CHECK_LENGTH);
}

/** The stored form of a key: lowercase hex SHA-256 of the whole key. */
export function hashApiKey(key: string): string {
	return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * A new random key and its hash. Give the key to the client once; store only the hash.
 *
 * @example
 * ```ts
 * const { key, hash } = newApiKey() // key: 'bgk_…' (53 characters), hash: 64 hex digits
 * ```
 */
export function newApiKey(): { key: string; hash: string } {
	const body = base62(BigInt(`0x${randomBytes(32).toString("hex")}`), BODY_LENGTH);
	const key = `${API_KEY_PREFIX}${body}${apiKeyCheck(API_KEY_PREFIX + body)}`;
	return { key, hash: hashApiKey(key) };
}
