/**
 * What an introspection answer (RFC 7662 §2.2) must say for its token to be accepted, and the `auth` it
 * makes: `active: true`; when present, `iss` one of the configured issuers and `aud` holding one of the
 * audiences; the registered members of their JSON types; `scope` and the permission claims feed
 * `auth.permissions`, the organization claim as for a JWT. The clock (`exp`, `nbf`) is checked by the
 * caller, on every request.
 */
import { readClaim } from "../config/claim-path.js";
import type { ResolvedOptions } from "../config/options.js";
import { invalidToken } from "../http/errors.js";
import { ClaimMismatch } from "../token/claim-mismatch.js";
import { readPermissions } from "../token/claims.js";
import { confirmationOf } from "../token/confirmation.js";
import { markIssued } from "../token/issued.js";
import { deepFreeze } from "../token/json.js";
import type { VerifiedToken } from "../token/token-cache.js";
import type { Claims, IntrospectedAuthResult } from "../types.js";

/** An introspected token as cached: its entry (the binding, if any, is `auth.confirmation`). */
export type IntrospectedToken = VerifiedToken;

const NUMBERS = ["exp", "nbf", "iat"] as const;
const STRINGS = ["iss", "sub", "jti", "client_id", "scope", "token_type", "username"] as const;

function checkTypes(answer: Readonly<Record<string, unknown>>): void {
	for (const name of NUMBERS) {
		const value = answer[name];
		if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
			throw invalidToken("claim_invalid");
		}
	}
	for (const name of STRINGS) {
		const value = answer[name];
		if (value !== undefined && typeof value !== "string") throw invalidToken("claim_invalid");
	}
}

function checkAudience(aud: unknown, options: ResolvedOptions): void {
	if (aud === undefined) return;
	const audiences = typeof aud === "string" ? [aud] : aud;
	if (!Array.isArray(audiences) || audiences.some((value) => typeof value !== "string")) {
		throw invalidToken("claim_invalid");
	}
	if (!audiences.some((value: string) => options.audiences.includes(value))) {
		throw invalidToken("audience_mismatch", new ClaimMismatch("aud", options.audiences, aud));
	}
}

/**
 * Checks an introspection answer whose `active` is a boolean and makes the token's entry. `issuer` is
 * the issuer whose endpoint answered, for an answer without `iss`. Throws the 401: `token_inactive`,
 * `issuer_mismatch`, `audience_mismatch`, `claim_invalid`.
 *
 * @example
 * ```ts
 * const entry = checkIntrospection({ active: true, scope: 'read', exp }, token, options, issuer)
 * ```
 */
export function checkIntrospection(
	answer: Record<string, unknown>,
	token: string,
	options: ResolvedOptions,
	issuer: string,
): IntrospectedToken {
	if (answer.active !== true) throw invalidToken("token_inactive");
	checkTypes(answer);
	const iss = answer.iss as string | undefined;
	if (iss !== undefined && !options.issuers.includes(iss)) {
		throw invalidToken("issuer_mismatch", new ClaimMismatch("iss", options.issuers, iss));
	}
	checkAudience(answer.aud, options);
	const confirmation = confirmationOf(answer.cnf);
	const permissions = readPermissions(answer, options.permissionsClaims);
	let organization: string | undefined;
	let organizationValid = true;
	if (options.organization) {
		const value = readClaim(answer, options.organization.claim);
		if (typeof value === "string" && options.organization.pattern.test(value)) organization = value;
		else organizationValid = value === undefined ? !options.organization.required : false;
	}
	const auth: IntrospectedAuthResult = Object.freeze({
		token,
		header: undefined,
		claims: deepFreeze(answer) as Claims,
		subject: answer.sub as string | undefined,
		issuer: iss ?? issuer,
		organization,
		permissions,
		expiresAt: answer.exp as number | undefined,
		scheme: confirmation?.jkt === undefined ? "Bearer" : "DPoP",
		source: "introspection",
		confirmation,
	});
	markIssued(auth);
	return { auth, organizationValid };
}
