/**
 * `@bearerguard/core`: framework-agnostic verification of the credentials of incoming requests:
 * OAuth 2.0 bearer access tokens (JWT, or opaque tokens by RFC 7662 introspection) and legacy API
 * keys, with the answers of RFC 6750.
 *
 * @packageDocumentation
 */
export {
	type Authenticator,
	type AuthenticatorSettings,
	createAuthenticator,
	sharedVerifier,
	splitOptions,
} from "./authenticator.js";
export { authorize, type PermissionRequirement } from "./authorize.js";
export { toSeconds } from "./config/duration.js";
export { ENVIRONMENT_VARIABLES, optionsFromEnvironment } from "./config/environment.js";
export type {
	ApiKeyCacheOptions,
	ApiKeyDeprecation,
	ApiKeyFormat,
	ApiKeyLookup,
	ApiKeyRecord,
	ApiKeysOptions,
	ClientCertificate,
	DpopOptions,
	IntrospectionOptions,
	MtlsOptions,
	ReplayStore,
} from "./credential-types.js";
export type {
	CheckName,
	DiagnoseOptions,
	Diagnosis,
	DiagnosisCheck,
	DiagnosisVerdict,
} from "./diagnose/diagnosis-types.js";
export type {
	JwkProblem,
	JwkReport,
	JwksReport,
} from "./diagnose/explain-jwks.js";
export { explainJwks } from "./diagnose/explain-jwks.js";
export { FIXES } from "./diagnose/fixes.js";
export { CHANNELS } from "./events/channels.js";
export type {
	AuthenticateEvent,
	AuthenticateOutcome,
	ConfigEvent,
	FetchEvent,
	FetchKind,
} from "./events/event-types.js";
export type { GuardCheck } from "./guard.js";
export {
	type AdapterOptions,
	type AdapterSettings,
	attachVerifier,
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
	InvalidDpopProofError,
	type InvalidDpopProofReason,
	InvalidRequestError,
	type InvalidRequestReason,
	InvalidTokenError,
	type InvalidTokenReason,
	invalidRequest,
	invalidToken,
	MESSAGES,
	TemporarilyUnavailableError,
	type UnavailableReason,
	UseDpopNonceError,
	type UseDpopNonceReason,
} from "./http/errors.js";
export { headerValues, plainReader, type RequestReader } from "./http/request.js";
export {
	createResourceMetadata,
	RESOURCE_METADATA_PATH,
	type ResourceMetadata,
	type ResourceMetadataAnswer,
	resourceMetadataUrl,
} from "./http/resource-metadata.js";
export { GuardSetupError } from "./http/setup-error.js";
export { metadataUrls } from "./keys/discovery.js";
export { FetchError, type FetchErrorOptions } from "./keys/fetch-error.js";
export { generateApiKey, hashApiKey } from "./schemes/api-key-format.js";
export { type ExtractOptions, extractBearerToken } from "./schemes/bearer.js";
export {
	createMemoryReplayStore,
	type MemoryReplayStore,
	type MemoryReplayStoreOptions,
} from "./schemes/replay-memory.js";
export { ClaimMismatch } from "./token/claim-mismatch.js";
export type { Confirmation } from "./token/confirmation.js";
export type {
	Algorithm,
	ApiKeyAuthResult,
	AuthOptions,
	AuthResult,
	ClaimName,
	Claims,
	CustomClaims,
	Duration,
	GuardOptions,
	HeadersLike,
	HealthError,
	IntrospectedAuthResult,
	IsRevokedFn,
	IssuerHealth,
	JwksOptions,
	JwtAuthResult,
	OrganizationOptions,
	ProtectedResourceMetadata,
	ReadyOptions,
	RequestLike,
	ResourceOptions,
	StandardClaims,
	TokenCacheOptions,
	TokenHeader,
	ValidateFn,
	Verifier,
	VerifierHealth,
	VerifierOptions,
	VerifyContext,
} from "./types.js";
export {
	createPermissionsCheck,
	createReusingGuard,
	type Upstream,
	type UpstreamCheck,
} from "./upstream.js";
export { createVerifier, type VerifierInternals } from "./verifier.js";
