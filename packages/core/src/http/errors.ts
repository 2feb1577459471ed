import type { ChallengeSettings, CredentialScheme } from "./challenge.js";
import { errorHeaders } from "./error-headers.js";

const DEFAULT_SETTINGS: ChallengeSettings = Object.freeze({ realm: "api" });

/**
 * The error classes that every failure of bearerguard is one of. Each carries what HTTP needs
 * (`status`, `statusCode`, `headers`), a literal RFC 6750 `code`, and a stable `reason` for logs.
 */

/** The RFC 6750 error codes (plus OAuth's `temporarily_unavailable`) that bearerguard answers with. */
export type ErrorCode =
	| "invalid_request"
	| "invalid_token"
	| "insufficient_scope"
	| "temporarily_unavailable"
	| "invalid_dpop_proof"
	| "use_dpop_nonce";

/** Why a request was refused with 400 `invalid_request`. */
export type InvalidRequestReason =
	| "authorization_malformed"
	| "authorization_duplicated"
	| "token_in_several_places"
	| "organization_invalid"
	| "organization_mismatch"
	| "several_credentials";

/** Why a token was refused with 401 `invalid_token`. */
export type InvalidTokenReason =
	| "token_missing"
	| "token_too_long"
	| "token_malformed"
	| "alg_not_allowed"
	| "crit_unsupported"
	| "typ_mismatch"
	| "kid_unknown"
	| "signature_invalid"
	| "claim_invalid"
	| "issuer_mismatch"
	| "audience_mismatch"
	| "token_expired"
	| "expiry_missing"
	| "not_yet_valid"
	| "token_too_old"
	| "issued_in_future"
	| "validation_failed"
	| "revoked"
	| "api_key_malformed"
	| "api_key_unknown"
	| "api_key_expired"
	| "token_inactive"
	| "token_dpop_bound"
	| "token_not_dpop_bound"
	| "token_certificate_bound"
	| "token_not_certificate_bound"
	| "certificate_missing"
	| "certificate_mismatch";

/** Why a DPoP proof (RFC 9449 §4.3) was refused with 401 `invalid_dpop_proof`. */
export type InvalidDpopProofReason =
	| "dpop_proof_missing"
	| "dpop_proof_duplicated"
	| "dpop_proof_malformed"
	| "dpop_proof_typ"
	| "dpop_proof_alg"
	| "dpop_proof_key"
	| "dpop_proof_signature"
	| "dpop_proof_htm"
	| "dpop_proof_htu"
	| "dpop_proof_expired"
	| "dpop_proof_future"
	| "dpop_proof_ath"
	| "dpop_proof_jkt"
	| "dpop_proof_replayed";

/** Why a DPoP request was answered 401 `use_dpop_nonce` (RFC 9449 §9), with a fresh `DPoP-Nonce`. */
export type UseDpopNonceReason = "dpop_nonce_required" | "dpop_nonce_invalid";

/** Why keys (or the revocation check) could not be had: 503 `temporarily_unavailable`. */
export type UnavailableReason =
	| "discovery_failed"
	| "discovery_issuer_mismatch"
	| "jwks_unavailable"
	| "revocation_check_failed"
	| "api_key_lookup_failed"
	| "introspection_failed"
	| "replay_check_failed";

/** Every `reason` an error of bearerguard can carry. */
export type ErrorReason =
	| InvalidRequestReason
	| InvalidTokenReason
	| InvalidDpopProofReason
	| UseDpopNonceReason
	| "insufficient_scope"
	| UnavailableReason;

/** Options shared by every error constructor. */
export interface BearerErrorOptions {
	/** The underlying error, for logs. Never shown to the client. */
	cause?: unknown;
}

/**
 * Base class of every error bearerguard throws for a request. `switch (err.code)` narrows to a subclass.
 *
 * @example
 * ```ts
 * try { await verifier.verify(token) } catch (err) {
 *   if (err instanceof BearerError) log.warn({ reason: err.reason }, err.message)
 * }
 * ```
 */
export abstract class BearerError extends Error {
	/** HTTP status of the answer. */
	abstract readonly status: 400 | 401 | 403 | 503;
	/** The RFC 6750 error code, as sent in the body and the challenge. */
	abstract readonly code: ErrorCode;
	/** A stable, machine-readable reason for logs and metrics. */
	readonly reason: ErrorReason;
	/** Koa reads this to show `message` to the client; the message never holds a secret. */
	readonly expose = true;
	/**
	 * How the verifier that refused the request words its challenges (`realm`, DPoP, resource metadata);
	 * it sets its own before the error leaves it. `undefined` means a plain `Bearer` challenge in `'api'`.
	 */
	challengeSettings: ChallengeSettings | undefined = undefined;
	/** How the refused request presented its credential, when it presented one. */
	scheme: CredentialScheme | undefined = undefined;
	/** Headers the answer carries besides the contract's (e.g. `DPoP-Nonce`), lower-case names. */
	answerHeaders: Readonly<Record<string, string>> | undefined = undefined;

	constructor(message: string, reason: ErrorReason, options?: BearerErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.reason = reason;
	}

	/** Same as `status`, for frameworks that read `statusCode` (Express, Fastify). */
	get statusCode(): number {
		return this.status;
	}

	/** Response headers for frameworks' own error handlers (Express finalhandler, Koa, Fastify). */
	get headers(): Record<string, string> {
		return errorHeaders(this, this.settings());
	}

	/** The `realm` of the challenge (the verifier's own once it has set its settings). */
	get realm(): string {
		return this.challengeSettings?.realm ?? "api";
	}

	set realm(realm: string) {
		this.challengeSettings = { ...this.challengeSettings, realm };
	}

	/** The challenge settings in force. */
	settings(): ChallengeSettings {
		return this.challengeSettings ?? DEFAULT_SETTINGS;
	}
}

/**
 * 400 `invalid_request`: a malformed `Authorization` header, a token sent by more than one method,
 * or a missing, invalid or mismatched organization ID.
 *
 * @example
 * ```ts
 * throw new InvalidRequestError('Missing or invalid organization ID', 'organization_invalid')
 * ```
 */
export class InvalidRequestError extends BearerError {
	readonly status = 400 as const;
	readonly code = "invalid_request" as const;
	declare readonly reason: InvalidRequestReason;
}

/**
 * 401 `invalid_token`: no token (reason `token_missing`, answered with a bare challenge), or a token
 * that is malformed, badly signed, expired, for another issuer or audience, revoked, and so on.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidTokenError && err.reason === 'token_expired') metrics.expired++
 * ```
 */
export class InvalidTokenError extends BearerError {
	readonly status = 401 as const;
	readonly code = "invalid_token" as const;
	declare readonly reason: InvalidTokenReason;
}

/**
 * 403 `insufficient_scope`: a valid token that lacks a required permission. `scope` lists the
 * permissions the guard asked for (all of them for `permissions`, the alternatives for `anyPermission`).
 *
 * @example
 * ```ts
 * throw new InsufficientScopeError(['write'])
 * ```
 */
export class InsufficientScopeError extends BearerError {
	readonly status = 403 as const;
	readonly code = "insufficient_scope" as const;
	declare readonly reason: "insufficient_scope";
	/** The permissions the route requires, as sent in the challenge's `scope` attribute. */
	readonly scope: readonly string[];

	constructor(scope: readonly string[], options?: BearerErrorOptions) {
		super(MESSAGES.insufficient_scope, "insufficient_scope", options);
		this.scope = scope;
	}
}

/**
 * 503 `temporarily_unavailable`: the signing keys cannot be had (issuer unreachable with nothing
 * cached, discovery failed) or the revocation check failed. `retryAfter` is in seconds.
 *
 * @example
 * ```ts
 * throw new TemporarilyUnavailableError('jwks_unavailable', 5)
 * ```
 */
export class TemporarilyUnavailableError extends BearerError {
	readonly status = 503 as const;
	readonly code = "temporarily_unavailable" as const;
	declare readonly reason: UnavailableReason;
	/** Seconds the client should wait before retrying (sent as `Retry-After`). */
	readonly retryAfter: number;

	constructor(reason: UnavailableReason, retryAfter: number, options?: BearerErrorOptions) {
		super(MESSAGES[reason], reason, options);
		this.retryAfter = Math.max(1, Math.ceil(retryAfter));
	}
}

/**
 * 401 `invalid_dpop_proof` (RFC 9449 §7.1): a request with `Authorization: DPoP` whose `DPoP` proof is
 * missing, duplicated, malformed, badly signed, for another method or URL, too old, replayed, or made
 * with a key the token is not bound to. Answered with the `DPoP` challenge.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidDpopProofError && err.reason === 'dpop_proof_replayed') metrics.replays++
 * ```
 */
export class InvalidDpopProofError extends BearerError {
	readonly status = 401 as const;
	readonly code = "invalid_dpop_proof" as const;
	declare readonly reason: InvalidDpopProofReason;
}

/**
 * 401 `use_dpop_nonce` (RFC 9449 §9): the resource server requires a nonce in DPoP proofs and the proof
 * had none, or one that is no longer current. The answer carries a fresh `DPoP-Nonce` header; the
 * client retries with it.
 *
 * @example
 * ```ts
 * if (err instanceof UseDpopNonceError) err.headers['dpop-nonce'] // the nonce to use
 * ```
 */
export class UseDpopNonceError extends BearerError {
	readonly status = 401 as const;
	readonly code = "use_dpop_nonce" as const;
	declare readonly reason: UseDpopNonceReason;

	constructor(reason: UseDpopNonceReason, nonce: string) {
		super(MESSAGES[reason], reason);
		this.answerHeaders = { "dpop-nonce": nonce };
	}
}

/** The union of every error class; `switch (err.code)` narrows it. */
export type AnyBearerError =
	| InvalidRequestError
	| InvalidTokenError
	| InvalidDpopProofError
	| UseDpopNonceError
	| InsufficientScopeError
	| TemporarilyUnavailableError;

/** The fixed client-facing message of every reason. Never carries a token, claim, key or config value. */
export const MESSAGES: Readonly<Record<ErrorReason, string>> = Object.freeze({
	authorization_malformed: "Malformed Authorization header",
	authorization_duplicated: "Duplicate Authorization header",
	token_in_several_places: "Token sent by more than one method",
	organization_invalid: "Missing or invalid organization ID",
	organization_mismatch: "Missing or invalid organization ID",
	token_missing: "Missing bearer token",
	token_too_long: "Token is too long",
	token_malformed: "Malformed token",
	alg_not_allowed: "Token algorithm is not allowed",
	crit_unsupported: "Token has unsupported critical header parameters",
	typ_mismatch: "Unexpected token type",
	kid_unknown: "Token signing key is unknown",
	signature_invalid: "Invalid token signature",
	claim_invalid: "Token has an invalid claim",
	issuer_mismatch: "Unexpected token issuer",
	audience_mismatch: "Unexpected token audience",
	token_expired: "Token has expired",
	expiry_missing: "Token has no expiry",
	not_yet_valid: "Token is not yet valid",
	token_too_old: "Token is too old",
	issued_in_future: "Token is issued in the future",
	validation_failed: "Token failed validation",
	revoked: "Token has been revoked",
	insufficient_scope: "Insufficient permissions for the requested operation",
	discovery_failed: "Signing keys are temporarily unavailable",
	discovery_issuer_mismatch: "Signing keys are temporarily unavailable",
	jwks_unavailable: "Signing keys are temporarily unavailable",
	revocation_check_failed: "Token revocation status is temporarily unavailable",
	several_credentials: "More than one credential sent",
	api_key_malformed: "Invalid API key",
	api_key_unknown: "Invalid API key",
	api_key_expired: "Invalid API key",
	token_inactive: "Token is not active",
	api_key_lookup_failed: "API key verification is temporarily unavailable",
	introspection_failed: "Token introspection is temporarily unavailable",
	token_dpop_bound: "Token is bound to a DPoP key and must be sent with a DPoP proof",
	token_not_dpop_bound: "Token is not bound to a DPoP key",
	token_certificate_bound: "Token is bound to a client certificate",
	token_not_certificate_bound: "Token is not bound to a client certificate",
	certificate_missing: "Client certificate required",
	certificate_mismatch: "Token is bound to another client certificate",
	dpop_proof_missing: "Missing DPoP proof",
	dpop_proof_duplicated: "More than one DPoP proof",
	dpop_proof_malformed: "Malformed DPoP proof",
	dpop_proof_typ: "DPoP proof has an unexpected type",
	dpop_proof_alg: "DPoP proof algorithm is not allowed",
	dpop_proof_key: "DPoP proof key is invalid",
	dpop_proof_signature: "Invalid DPoP proof signature",
	dpop_proof_htm: "DPoP proof is for another method",
	dpop_proof_htu: "DPoP proof is for another URL",
	dpop_proof_expired: "DPoP proof is too old",
	dpop_proof_future: "DPoP proof is issued in the future",
	dpop_proof_ath: "DPoP proof is for another access token",
	dpop_proof_jkt: "DPoP proof key does not match the token binding",
	dpop_proof_replayed: "DPoP proof has already been used",
	dpop_nonce_required: "DPoP proof must carry the resource server's nonce",
	dpop_nonce_invalid: "DPoP proof nonce is invalid or expired",
	replay_check_failed: "DPoP proof replay check is temporarily unavailable",
});

/** Creates the 401 `invalid_dpop_proof` for `reason` with its fixed message. */
export function invalidDpopProof(reason: InvalidDpopProofReason, cause?: unknown): InvalidDpopProofError {
	return new InvalidDpopProofError(MESSAGES[reason], reason, cause === undefined ? undefined : { cause });
}

/** Creates the 401 for `reason` with its fixed message. */
export function invalidToken(reason: InvalidTokenReason, cause?: unknown): InvalidTokenError {
	return new InvalidTokenError(MESSAGES[reason], reason, cause === undefined ? undefined : { cause });
}

/** Creates the 400 for `reason` with its fixed message. */
export function invalidRequest(reason: InvalidRequestReason, cause?: unknown): InvalidRequestError {
	return new InvalidRequestError(MESSAGES[reason], reason, cause === undefined ? undefined : { cause });
}
