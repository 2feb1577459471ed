/**
 * bearerguard's API key format: `bgk_` + BODY + CHECK. BODY is 32 random bytes (256 bits) read as a
 * big-endian unsigned integer and written in base62 (`0-9A-Za-z`), left-padded with `0` to 43
 * characters; CHECK is the CRC-32 (`zlib.crc32`) of the UTF-8 of `bgk_` + BODY in base62, padded to 6.
 * 53 characters in all. The fixed prefix lets secret scanners find leaked keys; the checksum refuses a
 * mistyped or random key without a hash or a lookup. A key is stored only as its hash: lowercase hex
 * SHA-256 of the whole key.
 */
import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

/** The prefix of every key `generateApiKey()` makes. */
export const API_KEY_PREFIX = "bgk_";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
/** Where the checksum starts: after the prefix and the body. */
const CHECKED_LENGTH = API_KEY_PREFIX.length + BODY_LENGTH;
const SHAPE = /^bgk_[0-9A-Za-z]{49}$/;

/** A non-negative integer in base62, left-padded with `0` to `width` characters. */
function base62(value: bigint, width: number): string {
	let digits = "";
	for (let rest = value; rest > 0n; rest /= 62n) digits = ALPHABET[Number(rest % 62n)] + digits;
	return digits.padStart(width, "0");
}

/** The 6 check characters of `bgk_` + body: base62 of a 32-bit CRC, with plain numbers (no BigInt). */
function checkOf(prefixAndBody: string): string {
	let rest = crc32(prefixAndBody);
	let digits = "";
	for (let i = 0; i < CHECK_LENGTH; i++) {
		digits = ALPHABET[rest % 62] + digits;
		rest = Math.floor(rest / 62);
	}
	return digits;
}

/**
 * The key whose body is these 32 bytes (a big-endian integer). `generateApiKey()` calls it with random
 * bytes; tests call it with fixed ones.
 *
 * @throws TypeError unless given exactly 32 bytes
 * @example
 * ```ts
 * formatApiKey(new Uint8Array(32)) // 'bgk_' + '0'.repeat(43) + '37uvFZ'
 * ```
 */
export function formatApiKey(bytes: Uint8Array): string {
	if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
		throw new TypeError("bearerguard: an API key's body is 32 bytes.");
	}
	const body = base62(BigInt(`0x${Buffer.from(bytes).toString("hex")}`), BODY_LENGTH);
	const prefixAndBody = `${API_KEY_PREFIX}${body}`;
	return `${prefixAndBody}${checkOf(prefixAndBody)}`;
}

/**
 * Whether `key` has bearerguard's format, checksum included: any one-character change (a typo) fails.
 * Costs a regular expression and a CRC-32 of 47 bytes: no hash, no allocation of note.
 *
 * @example
 * ```ts
 * isBearerguardApiKey(generateApiKey().key) // true
 * ```
 */
export function isBearerguardApiKey(key: string): boolean {
	if (key.length !== CHECKED_LENGTH + CHECK_LENGTH || !SHAPE.test(key)) return false;
	return checkOf(key.slice(0, CHECKED_LENGTH)) === key.slice(CHECKED_LENGTH);
}

/** The longest key read in any format, in characters; a longer one is refused before it is hashed. */
export const MAX_API_KEY_LENGTH = 1024;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** Whether `key` matches `pattern` in full (not only a part of it). */
function matchesInFull(pattern: RegExp, key: string): boolean {
	const match = pattern.exec(key);
	return match !== null && match.index === 0 && match[0].length === key.length;
}

/**
 * The check of `apiKeys.format`: whether a key has one of the accepted formats. Every key, whatever the
 * format, is visible ASCII (it travels in a header) and at most {@link MAX_API_KEY_LENGTH} characters;
 * a `RegExp` must match the whole key.
 *
 * @example
 * ```ts
 * formatCheck(['bearerguard', /^sk_[a-z0-9]{32}$/])('sk_' + 'a'.repeat(32)) // true
 * ```
 */
export function formatCheck(formats: readonly ("bearerguard" | "any" | RegExp)[]): (key: string) => boolean {
	if (formats.length === 1 && formats[0] === "bearerguard") return isBearerguardApiKey;
	const tests = formats.map((format): ((key: string) => boolean) =>
		format === "bearerguard"
			? isBearerguardApiKey
			: format === "any"
				? () => true
				: (key) => matchesInFull(format, key),
	);
	return (key) =>
		key.length <= MAX_API_KEY_LENGTH && VISIBLE_ASCII.test(key) && tests.some((accepts) => accepts(key));
}

/**
 * The hash an {@link ApiKeyRecord} stores, and that `lookup` is called with: lowercase hex SHA-256 of
 * the key's UTF-8 bytes (64 characters). Works for keys of any format, legacy ones included.
 *
 * @example
 * ```ts
 * const record = { hash: hashApiKey(key), subject: 'svc_reports', permissions: ['read'] }
 * ```
 */
export function hashApiKey(key: string): string {
	if (typeof key !== "string") throw new TypeError("bearerguard: hashApiKey(key) takes the key as a string.");
	return hash("sha256", key, "hex");
}

/**
 * A new API key and its hash. Give the key to its client once (it is not kept anywhere); store only
 * the hash, in `apiKeys.keys` or wherever `apiKeys.lookup` reads. The key is `bgk_` + 256 random bits
 * in base62 + a CRC-32 checksum, 53 characters: a mistyped or random key is refused without a lookup,
 * and secret scanners can find leaked ones by the prefix.
 *
 * @example
 * ```ts
 * const { key, hash } = generateApiKey() // key: 'bgk_...' (53 characters), hash: 64 hex digits
 * ```
 */
export function generateApiKey(): { key: string; hash: string } {
	const key = formatApiKey(randomBytes(32));
	return { key, hash: hashApiKey(key) };
}
