/**
 * `@bearerguard/express`: Express 4 and 5 middleware that verifies OAuth 2.0 bearer tokens and sets
 * `req.auth`, typed by declaration merging.
 *
 * @example
 * ```ts
 * import { requireAuth, requirePermissions } from '@bearerguard/express'
 *
 * app.use(requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 *
 * @packageDocumentation
 */
import type { AuthResult } from "@bearerguard/core";

declare global {
	namespace Express {
		interface Request {
			/**
			 * The verified token, set by `requireAuth`; `undefined` before it ran or for an `optional`
			 * guard without credentials.
			 */
			auth?: AuthResult;
		}
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
export { type AuthMiddleware, type ExpressAuthOptions, requireAuth } from "./require-auth.js";
export { requirePermissions } from "./require-permissions.js";
export { resourceMetadata } from "./resource-metadata.js";
