/**
 * `@bearerguard/koa`: Koa 2 and 3 middleware that verifies OAuth 2.0 bearer tokens and sets
 * `ctx.state.auth`, typed by declaration merging.
 *
 * @example
 * ```ts
 * import { requireAuth, requirePermissions } from '@bearerguard/koa'
 *
 * app.use(requireAuth({ issuer, audience }))
 * app.use(requirePermissions('read'))
 * ```
 *
 * @packageDocumentation
 */
import type { AuthResult } from "@bearerguard/core";

declare module "koa" {
	interface DefaultState {
		/**
		 * The verified token, set by `requireAuth`; `undefined` before it ran or for an `optional`
		 * guard without credentials.
		 */
		auth?: AuthResult;
	}
}

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
	type Verifier,
	type VerifierHealth,
} from "@bearerguard/core";
export { type AuthMiddleware, type KoaAuthOptions, requireAuth } from "./require-auth.js";
export { requirePermissions } from "./require-permissions.js";
export { resourceMetadata } from "./resource-metadata.js";
