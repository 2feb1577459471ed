/**
 * `@bearerguard/core`: framework-agnostic verification of OAuth 2.0 bearer access tokens (JWT).
 *
 * @packageDocumentation
 */
export {
	type AdapterOptions,
	type AdapterSettings,
	type ErrorHandling,
	type ErrorHook,
	errorAnswer,
	errorBody,
	type RawRequest,
	splitAdapterOptions,
	toRequestLike,
} from "./adapter-kit.js";
export { type Authenticator, createAuthenticator, sharedVerifier, splitOptions } from "./authenticator.js";
export { authorize, type PermissionRequirement } from "./authorize.js";
export { toSeconds } from "./duration.js";
export { ENVIRONMENT_VARIABLES, optionsFromEnvironment } from "./environment.js";
export { type ErrorResponse, type ErrorResponseOptions, toErrorResponse } from "./error-response.js";
export {
	type AnyBearerError,
	BearerError,
	type BearerErrorOptions,
	type ErrorCode,
	type ErrorReason,
	InsufficientScopeError,
	InvalidRequestError,
	type InvalidRequestReason,
	InvalidTokenError,
	type InvalidTokenReason,
	invalidRequest,
	invalidToken,
	MESSAGES,
	TemporarilyUnavailableError,
	type UnavailableReason,
} from "./errors.js";
export { type ExtractOptions, extractBearerToken } from "./extract.js";
export type {
	Algorithm,
	AuthOptions,
	AuthResult,
	Claims,
	CustomClaims,
	Duration,
	GuardOptions,
	HeadersLike,
	IsRevokedFn,
	JwksOptions,
	OrganizationOptions,
	RequestLike,
	StandardClaims,
	TokenCacheOptions,
	TokenHeader,
	ValidateFn,
	Verifier,
	VerifierOptions,
	VerifyContext,
} from "./types.js";
export { createVerifier, type VerifierInternals } from "./verifier.js";
