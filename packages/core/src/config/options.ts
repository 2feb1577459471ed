import type { Algorithm, IsRevokedFn, ValidateFn, VerifierOptions } from "../types.js";
import { type ResolvedApiKeys, resolveApiKeys } from "./api-keys.js";
import { type ClaimPath, resolveAudienceClaim, resolvePermissionsClaims, toClaimPath } from "./claim-path.js";
import { toSeconds } from "./duration.js";
import { type ResolvedIntrospection, resolveIntrospection } from "./introspection.js";
import { checkOptionNames } from "./option-names.js";
import { type ResolvedDpop, type ResolvedMtls, resolveDpop, resolveMtls } from "./sender-constraint.js";

/** The asymmetric algorithms allowed by default. */
export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = Object.freeze([
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
]);

const HMAC_ALGORITHMS: readonly Algorithm[] = ["HS256", "HS384", "HS512"];
const ALL = new Set<string>([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS]);

/** Organization settings after defaults. */
export interface ResolvedOrganization {
	readonly claim: ClaimPath;
	readonly required: boolean;
	readonly pattern: RegExp;
	readonly header: string | undefined;
}

/** Verifier options after validation and defaults; durations in seconds. */
export interface ResolvedOptions {
	readonly issuers: readonly string[];
	readonly audiences: readonly string[];
	readonly jwksUri: string | undefined;
	readonly secret: Uint8Array | undefined;
	readonly algorithms: ReadonlySet<Algorithm>;
	readonly clockTolerance: number;
	readonly maxTokenAge: number | undefined;
	readonly requireExpiry: boolean;
	readonly typ: string | undefined;
	readonly organization: ResolvedOrganization | undefined;
	readonly permissionsClaims: readonly ClaimPath[];
	readonly isRevoked: IsRevokedFn | undefined;
	readonly validate: ValidateFn | undefined;
	readonly jwks: {
		readonly cacheMaxAge: number;
		readonly cooldown: number;
		readonly timeout: number;
		readonly staleIfError: number;
	};
	readonly maxTokenLength: number;
	readonly realm: string;
	readonly allowQueryToken: boolean;
	readonly allowBodyToken: boolean;
	readonly tokenCache: { readonly max: number; readonly maxAge: number } | undefined;
	/** The claim checked against `audiences` (`'aud'` unless configured). */
	readonly audienceClaim: string;
	/** The `fetch` of discovery and JWKS requests. */
	readonly fetch: typeof fetch;
	readonly prefetch: boolean;
	/** API keys, when `apiKeys` is set. */
	readonly apiKeys: ResolvedApiKeys | undefined;
	/** Introspection of opaque tokens, when `introspection` is set. */
	readonly introspection: ResolvedIntrospection | undefined;
	/** DPoP-bound tokens, when `dpop` is set. */
	readonly dpop: ResolvedDpop | undefined;
	/** Certificate-bound tokens, when `mtls` is set. */
	readonly mtls: ResolvedMtls | undefined;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

function stringList(value: unknown, name: string, hint: string): string[] {
	const list = typeof value === "string" ? [value] : value;
	if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== "string" || v === "")) {
		fail(`"${name}" must be a non-empty string or array of strings (${hint}).`);
	}
	return [...list] as string[];
}

function httpUrl(value: string, name: string): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		fail(`"${name}" must be an absolute http(s) URL, got an unparsable value.`);
	}
	if (url.protocol !== "https:" && url.protocol !== "http:") fail(`"${name}" must be an http(s) URL.`);
	return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
	if (value === undefined) return fallback;
	if (typeof value !== "boolean") fail(`"${name}" must be true or false.`);
	return value;
}

function fn<T>(value: unknown, name: string): T | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== "function") fail(`"${name}" must be a function.`);
	return value as T;
}

/** Visible ASCII only, so the challenge stays valid RFC 7235 grammar. */
const REALM = /^[\x20-\x7e]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function resolveAlgorithms(options: VerifierOptions, hasSecret: boolean): Set<Algorithm> {
	if (options.algorithms === undefined) return new Set(hasSecret ? ["HS256"] : ASYMMETRIC_ALGORITHMS);
	if (!Array.isArray(options.algorithms) || options.algorithms.length === 0) {
		fail("\"algorithms\" must be a non-empty array such as ['RS256'].");
	}
	for (const alg of options.algorithms as unknown[]) {
		if (typeof alg === "string" && alg.toLowerCase() === "none") {
			fail('"algorithms" must not contain "none": unsigned tokens are never accepted.');
		}
		if (typeof alg !== "string" || !ALL.has(alg)) {
			fail(`"algorithms" contains an unsupported algorithm; use ${[...ALL].join(", ")}.`);
		}
		const hmac = HMAC_ALGORITHMS.includes(alg as Algorithm);
		if (hmac && !hasSecret) {
			fail(
				`"algorithms" contains ${alg}, which needs "secret"; HS algorithms are never accepted with JWKS keys.`,
			);
		}
		if (!hmac && hasSecret) {
			fail(
				`"algorithms" contains ${alg}, but "secret" is set; with a secret only HS256/HS384/HS512 are allowed.`,
			);
		}
	}
	return new Set(options.algorithms);
}

function resolveOrganization(value: VerifierOptions["organization"]): ResolvedOrganization | undefined {
	if (value === undefined || value === false) return undefined;
	const org = value === true ? {} : value;
	if (typeof org !== "object" || org === null) fail('"organization" must be true or an object.');
	const claim = toClaimPath(org.claim ?? "org_id", "organization.claim");
	const pattern = org.pattern ?? /^org_[A-Za-z0-9_-]+$/;
	if (!(pattern instanceof RegExp)) fail('"organization.pattern" must be a RegExp.');
	if (pattern.global || pattern.sticky)
		fail('"organization.pattern" must not use the g or y flag (it keeps state).');
	let header: string | undefined;
	if (org.header !== undefined) {
		if (typeof org.header !== "string" || !HEADER_NAME.test(org.header)) {
			fail('"organization.header" must be an HTTP header name such as "x-organization-id".');
		}
		header = org.header.toLowerCase();
	}
	return Object.freeze({
		claim,
		required: bool(org.required, "organization.required", true),
		pattern,
		header,
	});
}

function resolveSecret(secret: VerifierOptions["secret"]): Uint8Array | undefined {
	if (secret === undefined) return undefined;
	const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
	if (!(bytes instanceof Uint8Array)) fail('"secret" must be a string or a Uint8Array.');
	// RFC 7518 §3.2: a key of the same size as the hash output or larger; 32 bytes for HS256.
	if (bytes.length < 32) fail('"secret" must be at least 32 bytes long (RFC 7518 §3.2).');
	return bytes;
}

function resolveTokenCache(value: VerifierOptions["tokenCache"]): ResolvedOptions["tokenCache"] {
	if (value === false) return undefined;
	const cache = value ?? {};
	if (typeof cache !== "object" || cache === null) fail('"tokenCache" must be false or an object.');
	const max = cache.max ?? 10_000;
	if (!Number.isInteger(max) || max < 0) fail('"tokenCache.max" must be a whole number >= 0.');
	if (max === 0) return undefined;
	return { max, maxAge: toSeconds(cache.maxAge ?? 600, "tokenCache.maxAge") };
}

/**
 * Validates verifier options and applies the defaults. Throws a `TypeError` with a sentence that says
 * what to fix; it runs once, when the verifier is created, never per request.
 */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
	if (typeof options !== "object" || options === null) fail("options must be an object.");
	checkOptionNames(options, "verifier");
	if (options.issuer === undefined) {
		fail(
			'"issuer" is required: pass { issuer } or set BEARERGUARD_ISSUER (e.g. "https://auth.example.com/").',
		);
	}
	if (options.audience === undefined) {
		fail(
			'"audience" is required: pass { audience } or set BEARERGUARD_AUDIENCE (e.g. "https://api.example.com").',
		);
	}
	const issuers = stringList(options.issuer, "issuer", "the exact iss value of your tokens");
	const audiences = stringList(options.audience, "audience", "the aud value your API accepts");
	const secret = resolveSecret(options.secret);
	if (secret && options.jwksUri !== undefined) fail('set either "secret" or "jwksUri", not both.');
	const jwksUri = options.jwksUri === undefined ? undefined : httpUrl(options.jwksUri, "jwksUri");
	if (!secret && !jwksUri) for (const issuer of issuers) httpUrl(issuer, "issuer");
	const permissionsClaims = resolvePermissionsClaims(options.permissionsClaim);
	const maxTokenLength = options.maxTokenLength ?? 8192;
	if (!Number.isInteger(maxTokenLength) || maxTokenLength < 16) {
		fail('"maxTokenLength" must be a whole number of characters (>= 16).');
	}
	const realm = options.realm ?? "api";
	if (typeof realm !== "string" || !REALM.test(realm)) fail('"realm" must be a string of printable ASCII.');
	if (options.typ !== undefined && (typeof options.typ !== "string" || options.typ === "")) {
		fail('"typ" must be a non-empty string such as "at+jwt".');
	}
	if (options.jwks !== undefined && (typeof options.jwks !== "object" || options.jwks === null)) {
		fail('"jwks" must be an object such as { cooldown: "30s", timeout: "5s" }.');
	}
	const jwks = options.jwks ?? {};
	return Object.freeze({
		issuers,
		audiences,
		jwksUri,
		secret,
		algorithms: resolveAlgorithms(options, secret !== undefined),
		clockTolerance: toSeconds(options.clockTolerance ?? 5, "clockTolerance"),
		maxTokenAge:
			options.maxTokenAge === undefined ? undefined : toSeconds(options.maxTokenAge, "maxTokenAge"),
		requireExpiry: bool(options.requireExpiry, "requireExpiry", true),
		typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
		organization: resolveOrganization(options.organization),
		permissionsClaims,
		isRevoked: fn<IsRevokedFn>(options.isRevoked, "isRevoked"),
		validate: fn<ValidateFn>(options.validate, "validate"),
		jwks: Object.freeze({
			cacheMaxAge: toSeconds(jwks.cacheMaxAge ?? 600, "jwks.cacheMaxAge"),
			cooldown: toSeconds(jwks.cooldown ?? 30, "jwks.cooldown"),
			timeout: toSeconds(jwks.timeout ?? 5, "jwks.timeout"),
			staleIfError: toSeconds(jwks.staleIfError ?? 86_400, "jwks.staleIfError"),
		}),
		maxTokenLength,
		realm,
		allowQueryToken: bool(options.allowQueryToken, "allowQueryToken", false),
		allowBodyToken: bool(options.allowBodyToken, "allowBodyToken", false),
		tokenCache: resolveTokenCache(options.tokenCache),
		audienceClaim: resolveAudienceClaim(options.audienceClaim),
		fetch: fn<typeof fetch>(options.fetch, "fetch") ?? globalThis.fetch,
		prefetch: bool(options.prefetch, "prefetch", false),
		apiKeys: resolveApiKeys(options.apiKeys),
		introspection: resolveIntrospection(options.introspection, issuers),
		dpop: resolveDpop(options.dpop),
		mtls: resolveMtls(options.mtls),
	});
}

/** `typ` values compare case-insensitively, with an optional `application/` prefix (RFC 7515 §4.1.9). */
export function normalizeTyp(typ: string): string {
	const lower = typ.toLowerCase();
	return lower.startsWith("application/") ? lower.slice(12) : lower;
}
