/**
 * API keys, start to end without the per-request checks: the format (before any hash), the hash, the
 * static records, then the cached `lookup`. A key is never kept: only its SHA-256, which is also the
 * `auth.token` of a key request.
 */
import { hash } from "node:crypto";
import type { ResolvedOptions } from "../config/options.js";
import type { ApiKeyRecord } from "../credential-types.js";
import { invalidToken } from "../http/errors.js";
import { PermissionSet } from "../token/claims.js";
import { markIssued } from "../token/issued.js";
import { deepFreeze } from "../token/json.js";
import type { VerifiedToken } from "../token/token-cache.js";
import type { ApiKeyAuthResult, AuthResult, Claims } from "../types.js";
import { formatCheck, MAX_API_KEY_LENGTH } from "./api-key-format.js";
import { ApiKeyLookupCache, UNKNOWN } from "./api-key-lookup.js";
import { stampApiKeyAnswer } from "./api-key-source.js";

/** The answer headers (deprecation) of each key `auth`, for the answers built after it was issued. */
const answerHeaders = new WeakMap<AuthResult, Readonly<Record<string, string>>>();

/**
 * The deprecation headers an answer to the request that produced this `auth` carries: the API key's
 * `deprecation` headers, or `undefined` (any other credential, or no `deprecation`).
 *
 * @example
 * ```ts
 * apiKeyAnswerHeaders(req.auth) // { deprecation: '@1767225600', sunset: 'Fri, 01 Jan 2027 00:00:00 GMT' }
 * ```
 */
export function apiKeyAnswerHeaders(auth: AuthResult): Readonly<Record<string, string>> | undefined {
	return auth.source === "api-key" ? answerHeaders.get(auth) : undefined;
}

/**
 * Marks an error answered for a request authenticated by an API key (a 403 of a later guard, say), so it
 * carries the key's deprecation headers; any other `auth` leaves it as it is. Returns it.
 *
 * @example
 * ```ts
 * throw stampAuthAnswer(new InsufficientScopeError(['write']), req.auth)
 * ```
 */
export function stampAuthAnswer(error: unknown, auth: AuthResult): unknown {
	return auth.source === "api-key" ? stampApiKeyAnswer(error, answerHeaders.get(auth)) : error;
}

/** The verified entry of a record: its `auth` (frozen, marked as issued) and whether its organization is valid. */
function entryOf(record: ApiKeyRecord, options: ResolvedOptions): VerifiedToken {
	const expiresAt =
		record.expiresAt === undefined ? undefined : Math.floor(record.expiresAt.getTime() / 1000);
	const claims: Record<string, unknown> = { sub: record.subject };
	if (record.name !== undefined) claims.name = record.name;
	if (expiresAt !== undefined) claims.exp = expiresAt;
	const permissions = new PermissionSet();
	for (const permission of record.permissions) permissions.grant(permission);
	permissions.seal();
	const organization = record.organization;
	const rule = options.organization;
	const organizationValid =
		rule === undefined || (organization === undefined ? !rule.required : rule.pattern.test(organization));
	const auth: ApiKeyAuthResult = Object.freeze({
		token: record.hash,
		header: undefined,
		claims: deepFreeze(claims) as Claims,
		subject: record.subject,
		issuer: undefined,
		organization,
		permissions,
		expiresAt,
		scheme: "ApiKey",
		source: "api-key",
		confirmation: undefined,
	});
	markIssued(auth);
	const headers = options.apiKeys?.answerHeaders;
	if (headers !== undefined) answerHeaders.set(auth, headers);
	return { auth, organizationValid };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
	return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function known(entry: VerifiedToken | undefined): VerifiedToken {
	if (entry === undefined) throw invalidToken("api_key_unknown");
	return entry;
}

/** The API keys of one verifier: `verify(key)` answers the key's entry or throws. */
export interface ApiKeyVerifier {
	/**
	 * The entry of a valid key (not yet checked against the clock: see {@link checkApiKeyExpiry}), or a
	 * promise of it; throws (or rejects with) the 401 for a malformed or unknown key, the 503 when
	 * `lookup` fails.
	 */
	verify(key: string): VerifiedToken | Promise<VerifiedToken>;
	/** The `lookup` cache, when `lookup` is configured. */
	readonly lookups: ApiKeyLookupCache | undefined;
}

/**
 * Creates the API key check of a verifier, or `undefined` without `apiKeys`. The static records become
 * entries now, once; `lookup` answers are cached (see {@link ApiKeyLookupCache}).
 *
 * @example
 * ```ts
 * const entry = await createApiKeyVerifier(options)?.verify(key)
 * ```
 */
export function createApiKeyVerifier(options: ResolvedOptions): ApiKeyVerifier | undefined {
	const keys = options.apiKeys;
	if (keys === undefined) return undefined;
	const records = new Map<string, VerifiedToken>();
	for (const [hashed, record] of keys.records) records.set(hashed, entryOf(record, options));
	const lookups =
		keys.lookup === undefined ? undefined : new ApiKeyLookupCache(keys, (record) => entryOf(record, options));
	const accepts = formatCheck(keys.formats);
	return {
		lookups,
		verify(key) {
			if (key.length > MAX_API_KEY_LENGTH) throw invalidToken("api_key_malformed");
			// Records are found by SHA-256: how much of a hash matches tells nothing of the key.
			const hashed = hash("sha256", key, "hex");
			const record = records.get(hashed);
			if (record !== undefined) return record;
			const now = Date.now();
			const cached = lookups?.cached(hashed, now);
			if (cached !== undefined) return known(cached === UNKNOWN ? undefined : cached);
			// A key of no accepted format (mistyped, random, cut short) is never looked up.
			if (!accepts(key)) throw invalidToken("api_key_malformed");
			if (lookups === undefined) throw invalidToken("api_key_unknown");
			const found = lookups.find(hashed, now);
			return isPromise(found) ? found.then(known) : known(found);
		},
	};
}

/**
 * Refuses a key whose record has expired at `now` (Unix seconds): 401 `api_key_expired`. Runs on every
 * request, cached entry or not.
 */
export function checkApiKeyExpiry(entry: VerifiedToken, now: number): void {
	const expiresAt = entry.auth.expiresAt;
	if (expiresAt !== undefined && now >= expiresAt) throw invalidToken("api_key_expired");
}
