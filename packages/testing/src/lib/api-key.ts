import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import type { ApiKeyRecord, TestApiKey, TestApiKeyOptions } from "../types.js";

/** The prefix of every bearerguard API key (secret scanners look for it). */
export const API_KEY_PREFIX = "bgk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
const API_KEY_SHAPE = /^bgk_[0-9A-Za-z]{49}$/;

/**
 * A non-negative integer in base62 (`0-9A-Za-z`), left-padded with `0` to `width` characters.
 *
 * @example
 * ```ts
 * toBase62(61n, 3); // '00z'
 * ```
 */
export function toBase62(value: bigint, width: number): string {
	let digits = "";
	let rest = value;
	while (rest > 0n) {
		digits = BASE62[Number(rest % 62n)] + digits;
		rest /= 62n;
	}
	return digits.padStart(width, "0");
}

function checksum(prefixAndBody: string): string {
	return toBase62(BigInt(crc32(Buffer.from(prefixAndBody, "utf8"))), CHECK_LENGTH);
}

/**
 * The hash an {@link ApiKeyRecord} holds: lowercase hex SHA-256 of the key's UTF-8 bytes.
 *
 * @example
 * ```ts
 * hashTestApiKey(key); // 64 hex characters
 * ```
 */
export function hashTestApiKey(key: string): string {
	return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Whether a string has the API key format: `bgk_`, 43 base62 characters of body, and the
 * 6-character base62 CRC-32 of `bgk_` + body. Any one-character change fails it.
 *
 * @example
 * ```ts
 * isWellFormedApiKey(generateTestApiKey().key); // true
 * ```
 */
export function isWellFormedApiKey(key: string): boolean {
	if (!API_KEY_SHAPE.test(key)) return false;
	const prefixAndBody = key.slice(0, API_KEY_PREFIX.length + BODY_LENGTH);
	return checksum(prefixAndBody) === key.slice(API_KEY_PREFIX.length + BODY_LENGTH);
}

/**
 * A new API key in bearerguard's format, and its hash. The key is `bgk_` + BODY + CHECK: BODY
 * is 32 random bytes as a big-endian integer in base62 (`0-9A-Za-z`) padded to 43 characters,
 * CHECK the `zlib.crc32` of the UTF-8 bytes of `bgk_` + BODY in base62 padded to 6 (53 in all);
 * the hash is lowercase hex SHA-256 of the key.
 *
 * @example
 * ```ts
 * const { key, hash } = generateTestApiKey(); // key: 'bgk_...' (53 characters)
 * ```
 */
export function generateTestApiKey(): { key: string; hash: string } {
	const key = formatApiKey(randomBytes(32));
	return { key, hash: hashTestApiKey(key) };
}

/**
 * The API key whose body is these 32 bytes (a big-endian integer): `bgk_` + base62 body +
 * base62 CRC-32 checksum.
 *
 * @throws TypeError unless given exactly 32 bytes
 * @example
 * ```ts
 * formatApiKey(new Uint8Array(32)); // 'bgk_' + '0'.repeat(43) + checksum
 * ```
 */
export function formatApiKey(bytes: Uint8Array): string {
	if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
		throw new TypeError("An API key body is 32 bytes.");
	const body = toBase62(BigInt(`0x${Buffer.from(bytes).toString("hex")}`), BODY_LENGTH);
	const prefixAndBody = `${API_KEY_PREFIX}${body}`;
	return `${prefixAndBody}${checksum(prefixAndBody)}`;
}

function checkOptions(options: TestApiKeyOptions): void {
	if (typeof options !== "object" || options === null) {
		throw new TypeError("API key options must be an object with subject and permissions.");
	}
	const { subject, permissions, organization, expiresAt, name } = options;
	if (typeof subject !== "string" || subject === "")
		throw new TypeError("subject must be a non-empty string.");
	if (!Array.isArray(permissions) || !permissions.every((entry) => typeof entry === "string")) {
		throw new TypeError("permissions must be an array of strings.");
	}
	if (organization !== undefined && (typeof organization !== "string" || organization === "")) {
		throw new TypeError("organization must be a non-empty string.");
	}
	if (expiresAt !== undefined && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime()))) {
		throw new TypeError("expiresAt must be a valid Date.");
	}
	if (name !== undefined && typeof name !== "string") throw new TypeError("name must be a string.");
}

/**
 * A new API key with the record that grants it (`{ hash, subject, organization?, permissions,
 * expiresAt?, name? }`, ready for bearerguard's `apiKeys.keys`); the record holds only the hash.
 *
 * @throws TypeError for a missing subject, non-string permissions or a bad optional field
 * @example
 * ```ts
 * const { key, record } = createTestApiKey({ subject: "svc_reports", permissions: ["read"] });
 * // requireAuth({ apiKeys: { keys: [record] } }); send `x-api-key: ${key}`
 * ```
 */
export function createTestApiKey(options: TestApiKeyOptions): TestApiKey {
	checkOptions(options);
	const { key, hash } = generateTestApiKey();
	const { subject, permissions, organization, expiresAt, name } = options;
	const record: ApiKeyRecord = {
		hash,
		subject,
		...(organization === undefined ? {} : { organization }),
		permissions: [...permissions],
		...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt.getTime()) }),
		...(name === undefined ? {} : { name }),
	};
	return { key, hash, record };
}
