/**
 * What bearerguard's diagnostics events hold. No event carries a token, a key, a secret, or a claim
 * value beyond `sub` (and the configured issuer a token names); the request itself is not passed
 * either (its headers hold the token): correlate through `AsyncLocalStorage`, since every event is
 * published synchronously in the request's own async context.
 */
import type { CredentialScheme } from "../http/challenge.js";
import type { BearerError, ErrorReason } from "../http/errors.js";
import type { AuthResult } from "../types.js";

/**
 * How an authentication ended: `authenticated` (a verified credential), `anonymous` (an `optional`
 * guard and no credentials), `refused` (400, 401, 403), `unavailable` (503: keys or the revocation
 * check could not be had), `error` (not a bearerguard error: a bug or a misconfiguration; a 500).
 */
export type AuthenticateOutcome = "authenticated" | "anonymous" | "refused" | "unavailable" | "error";

/**
 * Published on `bearerguard:authenticate` once per authentication: every request through a guard
 * (`requireAuth`, `app.requireAuth`, `verifier.guard`) and every `verifier.verify` call.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.authenticate, (message) => {
 *   const event = message as AuthenticateEvent
 *   if (event.outcome === 'refused') log.info({ reason: event.reason, status: event.status })
 * })
 * ```
 */
export interface AuthenticateEvent {
	/** How it ended. */
	readonly outcome: AuthenticateOutcome;
	/** The error's `reason` (`token_expired`, `audience_mismatch`, ...) when `refused` or `unavailable`. */
	readonly reason: ErrorReason | undefined;
	/** The answer's status when it failed: 400, 401, 403, 503, or 500 for `error`; `undefined` otherwise. */
	readonly status: number | undefined;
	/**
	 * How the request presented its credential (`Bearer`, `DPoP`, `ApiKey`; `auth.scheme` when
	 * authenticated); `undefined` with no credentials, and for a refusal by `verifier.verify`, which is
	 * handed a bare token.
	 */
	readonly scheme: CredentialScheme | undefined;
	/** How the credential was verified (`jwt`, `introspection`, `api-key`), when it was. */
	readonly source: AuthResult["source"] | undefined;
	/**
	 * The issuer: `auth.issuer` when authenticated; when refused, the token's `iss` only if it is one of
	 * the configured issuers (an unverified `iss` of any other value is never repeated).
	 */
	readonly issuer: string | undefined;
	/** `sub` of an authenticated token, when it has one. */
	readonly subject: string | undefined;
	/** Whether the verified-token cache answered (the signature was not checked again). */
	readonly cacheHit: boolean;
	/** Milliseconds from the start of the authentication to its end (keys fetched meanwhile included). */
	readonly duration: number;
	/**
	 * The error, for logs, when it failed: a `BearerError` (its `cause` holds the detail: the expected
	 * and actual `iss`/`aud` of a mismatch, the network error of a fetch), or any other `Error`.
	 */
	readonly error: BearerError | Error | undefined;
}

/** Which document a fetch was for. */
export type FetchKind = "jwks" | "discovery" | "introspection";

/**
 * Published on `bearerguard:fetch` once per HTTP request bearerguard makes: a JWKS, an issuer's
 * metadata document (each URL tried), an introspection call.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.fetch, (message) => {
 *   const event = message as FetchEvent
 *   if (event.outcome === 'failure') log.warn({ url: event.url, code: event.code }, 'key fetch failed')
 * })
 * ```
 */
export interface FetchEvent {
	/** What was fetched. */
	readonly kind: FetchKind;
	/** The URL requested. */
	readonly url: string;
	/** The configured issuer it was for; `undefined` for a JWKS (one JWKS may serve several issuers). */
	readonly issuer: string | undefined;
	/** Whether a usable document came back. */
	readonly outcome: "success" | "failure";
	/** The HTTP status, when an answer came (200 on success). */
	readonly status: number | undefined;
	/**
	 * Why it failed, as a short code: a network code (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ...),
	 * `TIMEOUT`, `HTTP_STATUS`, `REDIRECT`, `TOO_LARGE`, `NOT_JSON`, `NOT_JWKS`, `ISSUER_MISMATCH`,
	 * `NO_JWKS_URI`, or `NETWORK`; `undefined` on success.
	 */
	readonly code: string | undefined;
	/** The failure, for logs (a `FetchError` whose message names the URL and the code). */
	readonly error: Error | undefined;
	/** Milliseconds the request took, body included. */
	readonly duration: number;
	/** For a JWKS: the signing keys bearerguard will use. */
	readonly keys: number | undefined;
	/** For a JWKS: the members it ignored on reading (encryption, private, symmetric or unknown keys). */
	readonly ignoredKeys: number | undefined;
}

/**
 * Published on `bearerguard:config` when a failure is a configuration error rather than an outage,
 * once per cause (again only after it was fixed and came back): today, an issuer whose metadata
 * names another issuer (`discovery_issuer_mismatch`: often a trailing slash).
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.config, (message) => log.error(message, 'bearerguard configuration error'))
 * ```
 */
export interface ConfigEvent {
	/** What is wrong, as the 503's `reason`. */
	readonly problem: "discovery_issuer_mismatch";
	/** The configured issuer. */
	readonly issuer: string;
	/** The metadata URL that said so. */
	readonly url: string;
	/** The issuer the metadata names instead. */
	readonly found: string | undefined;
	/** A sentence that says what to fix. */
	readonly message: string;
}
