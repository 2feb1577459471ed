import { type ClaimPath, readClaim } from "../config/claim-path.js";
import type { ResolvedOptions } from "../config/options.js";
import { invalidToken } from "../http/errors.js";
import { ClaimMismatch } from "./claim-mismatch.js";

const NUMERIC = ["exp", "nbf", "iat"] as const;
const STRINGS = ["iss", "sub", "jti", "client_id"] as const;
/** Claims RFC 9068 §2.2 requires in an access token; enforced in strict mode (`typ: 'at+jwt'`). */
const RFC9068_REQUIRED = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"] as const;

/**
 * Checks the claims that do not depend on the clock: types of the registered claims, `iss`, `aud`,
 * the presence of `exp`, and RFC 9068's required claims in strict mode. The result can be cached.
 */
export function checkStaticClaims(claims: Record<string, unknown>, options: ResolvedOptions): void {
	checkClaimTypes(claims, options);
	checkIssuerClaim(claims, options);
	checkAudienceClaim(claims, options);
	checkExpiryPresent(claims, options);
}

/** The registered claims have their JSON types, and strict mode's RFC 9068 claims are all there. */
export function checkClaimTypes(claims: Record<string, unknown>, options: ResolvedOptions): void {
	for (const name of NUMERIC) {
		const value = claims[name];
		if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
			throw invalidToken("claim_invalid");
		}
	}
	for (const name of STRINGS) {
		const value = claims[name];
		if (value !== undefined && typeof value !== "string") throw invalidToken("claim_invalid");
	}
	checkAudienceType(claims.aud);
	if (options.typ === "at+jwt" && RFC9068_REQUIRED.some((name) => claims[name] === undefined)) {
		throw invalidToken("claim_invalid");
	}
}

/** `iss` is one of the configured issuers, exactly; the refusal's cause says which it was. */
export function checkIssuerClaim(claims: Record<string, unknown>, options: ResolvedOptions): void {
	if (typeof claims.iss !== "string" || !options.issuers.includes(claims.iss))
		throw invalidToken("issuer_mismatch", new ClaimMismatch("iss", options.issuers, claims.iss));
}

/**
 * The audience claim (`aud`, or `audienceClaim` for providers without it, such as Cognito's
 * `client_id`; own members only) holds one of the accepted audiences.
 */
export function checkAudienceClaim(claims: Record<string, unknown>, options: ResolvedOptions): void {
	const name = options.audienceClaim;
	const aud = name === "aud" ? claims.aud : Object.hasOwn(claims, name) ? claims[name] : undefined;
	if (name !== "aud") checkAudienceType(aud);
	const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? (aud as unknown[]) : [];
	if (!audiences.some((value) => typeof value === "string" && options.audiences.includes(value)))
		throw invalidToken("audience_mismatch", new ClaimMismatch(name, options.audiences, aud));
}

/** `exp` is there, unless `requireExpiry` is off. */
export function checkExpiryPresent(claims: Record<string, unknown>, options: ResolvedOptions): void {
	if (claims.exp === undefined && options.requireExpiry) throw invalidToken("expiry_missing");
}

/** An audience is a string or an array of strings (RFC 7519 §4.1.3); anything else is refused. */
function checkAudienceType(aud: unknown): void {
	if (aud !== undefined && typeof aud !== "string") {
		if (!Array.isArray(aud) || aud.some((value) => typeof value !== "string"))
			throw invalidToken("claim_invalid");
	}
}

/**
 * Checks the claims that depend on the clock, on every request, cache hit or not: `exp`, `nbf`, and
 * `iat` against `maxTokenAge`. `now` is Unix time in seconds.
 */
export function checkTimeClaims(
	claims: Record<string, unknown>,
	options: ResolvedOptions,
	now: number,
): void {
	const tolerance = options.clockTolerance;
	const exp = claims.exp as number | undefined;
	if (exp !== undefined && now - tolerance >= exp) throw invalidToken("token_expired");
	const nbf = claims.nbf as number | undefined;
	if (nbf !== undefined && now + tolerance < nbf) throw invalidToken("not_yet_valid");
	if (options.maxTokenAge !== undefined) {
		const iat = claims.iat as number | undefined;
		if (iat === undefined) throw invalidToken("claim_invalid");
		if (now + tolerance < iat) throw invalidToken("issued_in_future");
		if (now - tolerance - iat > options.maxTokenAge) throw invalidToken("token_too_old");
	}
}

/**
 * The token's permissions: every configured claim (a name or a path, read as own members only) merged
 * into one set; a string is split on spaces, an array must hold only strings. Anything else is an
 * invalid claim, never a silent empty set.
 */
export function readPermissions(
	claims: Record<string, unknown>,
	names: readonly ClaimPath[],
): ReadonlySet<string> {
	const permissions = new PermissionSet();
	for (const name of names) {
		const value = readClaim(claims, name);
		if (value === undefined) continue;
		if (typeof value === "string") {
			for (const item of value.split(" ")) if (item !== "") permissions.grant(item);
		} else if (Array.isArray(value)) {
			for (const item of value) {
				if (typeof item !== "string") throw invalidToken("claim_invalid");
				permissions.grant(item);
			}
		} else {
			throw invalidToken("claim_invalid");
		}
	}
	permissions.seal();
	return permissions;
}

/**
 * A `Set` that refuses changes once built. A verified token's `auth` is cached and shared between
 * requests, so a route that called `auth.permissions.add(...)` must not grant it to later requests.
 */
export class PermissionSet extends Set<string> {
	#sealed = false;

	/** Adds a permission while the set is being built. */
	grant(value: string): void {
		if (this.#sealed) throw new TypeError("bearerguard: auth.permissions is read-only.");
		super.add(value);
	}

	/** Ends the building: from now on the set refuses changes. */
	seal(): void {
		this.#sealed = true;
	}

	override add(value: string): this {
		if (this.#sealed) throw new TypeError("bearerguard: auth.permissions is read-only.");
		return super.add(value);
	}

	override delete(): boolean {
		throw new TypeError("bearerguard: auth.permissions is read-only.");
	}

	override clear(): void {
		throw new TypeError("bearerguard: auth.permissions is read-only.");
	}
}
