/**
 * The `apiKeys` option, checked once when the verifier is created: where keys are read, which formats
 * are accepted, the stored records, the lookup's cache and timeout, and the deprecation headers.
 */
import type {
	ApiKeyDeprecation,
	ApiKeyFormat,
	ApiKeyLookup,
	ApiKeyRecord,
	ApiKeysOptions,
} from "../credential-types.js";
import { toSeconds } from "./duration.js";

/** The longest an unknown key is remembered as unknown, in seconds. */
export const UNKNOWN_KEY_MAX_AGE = 5;

/** `apiKeys` after validation and defaults; durations in seconds, header names lower case. */
export interface ResolvedApiKeys {
	/** The request header that carries a key (lower case). */
	readonly header: string;
	/** The query parameter that may carry one, when configured. */
	readonly query: string | undefined;
	/** The static records, by hash. */
	readonly records: ReadonlyMap<string, ApiKeyRecord>;
	readonly lookup: ApiKeyLookup | undefined;
	/** The accepted key formats (checked before any hash or lookup), at least one. */
	readonly formats: readonly ApiKeyFormat[];
	/** The lookup cache, or `undefined` when off. */
	readonly cache: { readonly max: number; readonly maxAge: number } | undefined;
	readonly timeout: number;
	/** `deprecation`, `sunset`, `link`: added to every answer to a key request; `undefined` when not configured. */
	readonly answerHeaders: Readonly<Record<string, string>> | undefined;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HASH = /^[0-9a-f]{64}$/;
const PERMISSION = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function isPlainObject(value: unknown): boolean {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a record, in a sentence, or `undefined` when it is well formed. Used for the
 * static `keys` (a `TypeError` at start-up) and for what `lookup` returns (the 503's cause).
 *
 * @example
 * ```ts
 * recordProblem({ hash: 'x', subject: 's', permissions: [] }) // 'hash must be the lowercase hex SHA-256 ...'
 * ```
 */
export function recordProblem(record: unknown): string | undefined {
	if (!isPlainObject(record)) return "a record must be an object { hash, subject, permissions, ... }";
	const { hash, subject, permissions, organization, expiresAt, name } = record as Record<string, unknown>;
	if (typeof hash !== "string" || !HASH.test(hash)) {
		return "hash must be the lowercase hex SHA-256 of the key (64 characters, as hashApiKey(key) returns)";
	}
	if (typeof subject !== "string" || subject === "") return "subject must be a non-empty string";
	if (
		!Array.isArray(permissions) ||
		!permissions.every((each) => typeof each === "string" && PERMISSION.test(each))
	) {
		return "permissions must be an array of permission names (no spaces, quotes or backslashes)";
	}
	if (organization !== undefined && (typeof organization !== "string" || organization === "")) {
		return "organization must be a non-empty string when given";
	}
	if (expiresAt !== undefined && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime()))) {
		return "expiresAt must be a valid Date when given";
	}
	if (name !== undefined && typeof name !== "string") return "name must be a string when given";
	return undefined;
}

function resolveRecords(keys: unknown): Map<string, ApiKeyRecord> {
	const records = new Map<string, ApiKeyRecord>();
	if (keys === undefined) return records;
	if (!Array.isArray(keys))
		fail('"apiKeys.keys" must be an array of records { hash, subject, permissions }.');
	keys.forEach((record: unknown, index) => {
		const problem = recordProblem(record);
		if (problem !== undefined) fail(`"apiKeys.keys[${index}]": ${problem}.`);
		const { hash } = record as ApiKeyRecord;
		if (records.has(hash)) fail(`"apiKeys.keys[${index}]" has the same hash as an earlier record.`);
		records.set(hash, record as ApiKeyRecord);
	});
	return records;
}

function resolveFormats(value: unknown): readonly ApiKeyFormat[] {
	const list: unknown[] = value === undefined ? ["bearerguard"] : Array.isArray(value) ? value : [value];
	if (list.length === 0) fail('"apiKeys.format" must name at least one format.');
	for (const format of list) {
		if (format instanceof RegExp) {
			if (format.global || format.sticky)
				fail('"apiKeys.format" must not use the g or y flag (it keeps state).');
		} else if (format !== "bearerguard" && format !== "any") {
			fail("\"apiKeys.format\" must be 'bearerguard', 'any', a RegExp, or a list of them.");
		}
	}
	return Object.freeze(list as ApiKeyFormat[]);
}

function toDate(value: unknown, name: string): Date {
	const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
	if (date === undefined || !Number.isFinite(date.getTime())) {
		fail(`"${name}" must be a Date or an ISO 8601 date string such as "2027-01-01".`);
	}
	return date;
}

/**
 * The deprecation headers (lower-case names): `Deprecation: @<seconds>` (RFC 9745), `Sunset:
 * <HTTP-date>` (RFC 8594), `Link: <url>; rel="deprecation"; type="text/html"`.
 */
function resolveDeprecation(value: ApiKeyDeprecation | undefined): Record<string, string> | undefined {
	if (value === undefined) return undefined;
	if (!isPlainObject(value)) fail('"apiKeys.deprecation" must be an object { since?, sunset?, link? }.');
	const since = value.since === undefined ? 0 : toDate(value.since, "apiKeys.deprecation.since").getTime();
	const headers: Record<string, string> = { deprecation: `@${Math.floor(since / 1000)}` };
	if (value.sunset !== undefined) {
		headers.sunset = toDate(value.sunset, "apiKeys.deprecation.sunset").toUTCString();
	}
	if (value.link !== undefined) {
		const link = value.link;
		let url: URL | undefined;
		try {
			url = typeof link === "string" ? new URL(link) : undefined;
		} catch {
			url = undefined;
		}
		if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
			fail('"apiKeys.deprecation.link" must be an absolute http(s) URL of your migration guide.');
		}
		headers.link = `<${url.href}>; rel="deprecation"; type="text/html"`;
	}
	return Object.freeze(headers);
}

function resolveCache(value: ApiKeysOptions["cache"]): ResolvedApiKeys["cache"] {
	if (value === false) return undefined;
	const cache = value ?? {};
	if (!isPlainObject(cache)) fail('"apiKeys.cache" must be false or an object { max, maxAge }.');
	const max = cache.max ?? 10_000;
	if (!Number.isInteger(max) || max < 1) fail('"apiKeys.cache.max" must be a whole number >= 1.');
	return Object.freeze({ max, maxAge: toSeconds(cache.maxAge ?? 60, "apiKeys.cache.maxAge") });
}

/**
 * Validates `apiKeys` and applies the defaults; `undefined` when it is not set. Throws a `TypeError`
 * that says what to fix.
 *
 * @example
 * ```ts
 * resolveApiKeys({ keys: [record] })?.header // 'x-api-key'
 * ```
 */
export function resolveApiKeys(value: ApiKeysOptions | undefined): ResolvedApiKeys | undefined {
	if (value === undefined) return undefined;
	if (!isPlainObject(value)) fail('"apiKeys" must be an object such as { keys: [...] } or { lookup }.');
	const header = value.header ?? "x-api-key";
	if (typeof header !== "string" || !HEADER_NAME.test(header) || header.toLowerCase() === "authorization") {
		fail('"apiKeys.header" must be an HTTP header name other than Authorization, such as "x-api-key".');
	}
	const query = value.query;
	if (query !== undefined && (typeof query !== "string" || query === "" || query === "access_token")) {
		fail('"apiKeys.query" must be a query parameter name such as "api_key" (not "access_token").');
	}
	const lookup = value.lookup;
	if (lookup !== undefined && typeof lookup !== "function")
		fail('"apiKeys.lookup" must be a function (hash) => record.');
	const records = resolveRecords(value.keys);
	if (records.size === 0 && lookup === undefined) {
		fail('"apiKeys" needs "keys" (records { hash, subject, permissions }) or "lookup" (hash) => record.');
	}
	return Object.freeze({
		header: header.toLowerCase(),
		query,
		records,
		lookup,
		formats: resolveFormats(value.format),
		cache: resolveCache(value.cache),
		timeout: toSeconds(value.timeout ?? 5, "apiKeys.timeout"),
		answerHeaders: resolveDeprecation(value.deprecation),
	});
}
