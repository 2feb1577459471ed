/**
 * `@bearerguard/hono`: Hono 4 middleware that verifies OAuth 2.0 bearer tokens and sets `c.get('auth')`,
 * typed through Hono's variables ({@link AuthVariables}).
 *
 * @example
 * ```ts
 * import { requireAuth, requirePermissions } from '@bearerguard/hono'
 *
 * app.use('/v1/*', requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 *
 * @packageDocumentation
 */
export {
	type AdapterOptions,
	type ApiKeyRecord,
	type ApiKeysOptions,
	type AuthResult,
	BearerError,
	type CustomClaims,
	createMemoryReplayStore,
	type DpopOptions,
	type ErrorHandling,
	type ErrorHook,
	type ErrorResponse,
	GuardSetupError,
	generateApiKey,
	hashApiKey,
	InsufficientScopeError,
	InvalidDpopProofError,
	InvalidRequestError,
	InvalidTokenError,
	type MtlsOptions,
	type ProtectedResourceMetadata,
	type ReplayStore,
	type ResourceOptions,
	TemporarilyUnavailableError,
	UseDpopNonceError,
} from "@bearerguard/core";
export { type AuthEnv, type AuthVariables, type HonoAuthOptions, requireAuth } from "./require-auth.js";
export { requirePermissions } from "./require-permissions.js";
export { resourceMetadata } from "./resource-metadata.js";
