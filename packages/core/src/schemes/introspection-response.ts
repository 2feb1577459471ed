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
import { markIssued } from "../token/issued.js";
import { deepFreeze } from "../token/json.js";
import type { VerifiedToken } from "../token/token-cache.js";
import type { Claims, IntrospectedAuthResult } from "../types.js";

/** The key an introspected token is bound to (RFC 7800 `cnf`, as RFC 7662 §2.2 allows). */
export interface Confirmation {
	readonly jkt?: string;
	readonly "x5t#S256"?: string;
}

/** An introspected token as cached: its entry and the key it is bound to, if any. */
export interface IntrospectedToken extends VerifiedToken {
	/** `cnf.jkt` / `cnf["x5t#S256"]` of the answer, checked per request by {@link checkIntrospectedBinding}. */
	readonly binding: Confirmation | undefined;
}

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

function bindingOf(cnf: unknown): Confirmation | undefined {
	if (cnf === undefined) return undefined;
	if (typeof cnf !== "object" || cnf === null || Array.isArray(cnf)) throw invalidToken("claim_invalid");
	const { jkt, "x5t#S256": x5t } = cnf as Record<string, unknown>;
	if ((jkt !== undefined && typeof jkt !== "string") || (x5t !== undefined && typeof x5t !== "string")) {
		throw invalidToken("claim_invalid");
	}
	if (jkt === undefined && x5t === undefined) return undefined;
	return Object.freeze({ ...(jkt !== undefined && { jkt }), ...(x5t !== undefined && { "x5t#S256": x5t }) });
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
	const binding = bindingOf(answer.cnf);
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
		scheme: "Bearer",
		source: "introspection",
		confirmation: undefined,
	});
	markIssued(auth);
	return { auth, organizationValid, binding };
}

/**
 * THE BINDING CHECK OF INTROSPECTED TOKENS (sender-constrained tokens, RFC 9449 / RFC 8705): runs on
 * every request, cached answer or not. An answer with `cnf.jkt` (DPoP) or `cnf["x5t#S256"]` (mTLS)
 * names a token that must never act as a bearer token; until this verifier checks DPoP proofs and
 * client certificates, such a token is refused (401 `invalid_token`). Where DPoP and mTLS are
 * configured, this is where the proof's key or the certificate is compared with `binding` (and where
 * `auth.confirmation` is set), exactly as for a JWT's `cnf`.
 */
export function checkIntrospectedBinding(entry: IntrospectedToken): void {
	if (entry.binding !== undefined) {
		throw invalidToken(
			"claim_invalid",
			new Error("the introspected token is bound to a key (cnf): it is not accepted as a bearer token"),
		);
	}
}
