/**
 * One JWT access token, start to end, without the cache: decode, pick the issuer's keys, check the
 * signature and the claims that do not depend on the clock. The result can be cached.
 */
import { readClaim } from "../config/claim-path.js";
import type { ResolvedOptions } from "../config/options.js";
import { normalizeTyp } from "../config/options.js";
import { invalidToken } from "../http/errors.js";
import type { KeySource, VerifyKey } from "../keys/key-source.js";
import type { Algorithm, AuthResult, Claims, TokenHeader } from "../types.js";
import { ClaimMismatch } from "./claim-mismatch.js";
import { checkStaticClaims, readPermissions } from "./claims.js";
import { confirmationOf } from "./confirmation.js";
import { markIssued } from "./issued.js";
import { deepFreeze } from "./json.js";
import { type DecodedJws, decodeJws, verifySignature } from "./jws.js";
import type { VerifiedToken } from "./token-cache.js";

/**
 * Signature and claims checks of a token not in the cache. Synchronous when the issuer's keys are cached
 * and fresh (the common case), so a miss costs little more than the signature check itself.
 */
export function verifyJwt(
	token: string,
	options: ResolvedOptions,
	keys: KeySource,
): VerifiedToken | Promise<VerifiedToken> {
	const jws = decodeJws(token);
	const { header, payload, alg } = jws;
	if (!options.algorithms.has(alg as Algorithm)) throw invalidToken("alg_not_allowed");
	// No extension is understood, so any `crit` (RFC 7515 §4.1.11) and `b64` (RFC 7797) is refused.
	if (header.crit !== undefined || header.b64 !== undefined) throw invalidToken("crit_unsupported");
	if (
		options.typ !== undefined &&
		(typeof header.typ !== "string" || normalizeTyp(header.typ) !== options.typ)
	) {
		throw invalidToken("typ_mismatch");
	}
	const kid = header.kid;
	if (kid !== undefined && typeof kid !== "string") throw invalidToken("token_malformed");
	// The issuer is read before the signature is checked only to pick its keys; it is checked again below.
	const issuer = payload.iss;
	if (typeof issuer !== "string" || !options.issuers.includes(issuer))
		throw invalidToken("issuer_mismatch", new ClaimMismatch("iss", options.issuers, issuer));
	const candidates = keys.keysFor(issuer, alg as Algorithm, kid);
	return Array.isArray(candidates)
		? checkVerified(jws, issuer, candidates, token, options)
		: candidates.then((found) => checkVerified(jws, issuer, found, token, options));
}

function checkVerified(
	{ header, payload, signingInput, signature, alg }: DecodedJws,
	issuer: string,
	candidates: readonly VerifyKey[],
	token: string,
	options: ResolvedOptions,
): VerifiedToken {
	if (!candidates.some((key) => verifySignature(alg as Algorithm, signingInput, signature, key))) {
		throw invalidToken("signature_invalid");
	}
	checkStaticClaims(payload, options);
	const confirmation = confirmationOf(payload.cnf);
	const permissions = readPermissions(payload, options.permissionsClaims);
	let organization: string | undefined;
	let organizationValid = true;
	if (options.organization) {
		const value = readClaim(payload, options.organization.claim);
		if (typeof value === "string" && options.organization.pattern.test(value)) organization = value;
		else organizationValid = value === undefined ? !options.organization.required : false;
	}
	const auth: AuthResult = Object.freeze({
		token,
		header: header as TokenHeader,
		claims: deepFreeze(payload) as Claims,
		subject: payload.sub as string | undefined,
		issuer,
		organization,
		permissions,
		expiresAt: payload.exp as number | undefined,
		// A DPoP-bound token is only ever accepted with its proof: its `auth` says so.
		scheme: confirmation?.jkt === undefined ? "Bearer" : "DPoP",
		source: "jwt",
		confirmation,
	});
	markIssued(auth);
	return { auth, organizationValid };
}
