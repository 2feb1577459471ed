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
	| "temporarily_unavailable";

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
	| "token_inactive";

/** Why keys (or the revocation check) could not be had: 503 `temporarily_unavailable`. */
export type UnavailableReason =
	| "discovery_failed"
	| "discovery_issuer_mismatch"
	| "jwks_unavailable"
	| "revocation_check_failed"
	| "api_key_lookup_failed"
	| "introspection_failed";

/** Every `reason` an error of bearerguard can carry. */
export type ErrorReason =
	| InvalidRequestReason
	| InvalidTokenReason
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

/** The union of every error class; `switch (err.code)` narrows it. */
export type AnyBearerError =
	| InvalidRequestError
	| InvalidTokenError
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
});

/** Creates the 401 for `reason` with its fixed message. */
export function invalidToken(reason: InvalidTokenReason, cause?: unknown): InvalidTokenError {
	return new InvalidTokenError(MESSAGES[reason], reason, cause === undefined ? undefined : { cause });
}

/** Creates the 400 for `reason` with its fixed message. */
export function invalidRequest(reason: InvalidRequestReason, cause?: unknown): InvalidRequestError {
	return new InvalidRequestError(MESSAGES[reason], reason, cause === undefined ? undefined : { cause });
}
