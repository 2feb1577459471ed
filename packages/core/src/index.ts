/**
 * `@bearerguard/core`: framework-agnostic verification of the credentials of incoming requests:
 * OAuth 2.0 bearer access tokens (JWT), with the answers of RFC 6750.
 *
 * @packageDocumentation
 */
export { type Authenticator, createAuthenticator, sharedVerifier, splitOptions } from "./authenticator.js";
export { authorize, type PermissionRequirement } from "./authorize.js";
export { toSeconds } from "./config/duration.js";
export { ENVIRONMENT_VARIABLES, optionsFromEnvironment } from "./config/environment.js";
export type { GuardCheck } from "./guard.js";
export {
	type AdapterOptions,
	type AdapterSettings,
	type ErrorHandling,
	type ErrorHook,
	errorAnswer,
	errorBody,
	splitAdapterOptions,
	stampChallenge,
} from "./http/adapter-kit.js";
export type { ChallengeSettings, CredentialScheme } from "./http/challenge.js";
export { type ErrorResponse, type ErrorResponseOptions, toErrorResponse } from "./http/error-response.js";
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
} from "./http/errors.js";
export { headerValues, plainReader, type RequestReader } from "./http/request.js";
export {
	createResourceMetadata,
	RESOURCE_METADATA_PATH,
	type ResourceMetadata,
	type ResourceMetadataAnswer,
	resourceMetadataUrl,
} from "./http/resource-metadata.js";
export { type ExtractOptions, extractBearerToken } from "./schemes/bearer.js";
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
	ProtectedResourceMetadata,
	RequestLike,
	ResourceOptions,
	StandardClaims,
	TokenCacheOptions,
	TokenHeader,
	ValidateFn,
	Verifier,
	VerifierOptions,
	VerifyContext,
} from "./types.js";
export { createVerifier, type VerifierInternals } from "./verifier.js";
