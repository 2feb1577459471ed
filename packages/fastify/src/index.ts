/**
 * `@bearerguard/fastify`: a Fastify 5 plugin that verifies OAuth 2.0 bearer tokens and sets
 * `request.auth`, typed by declaration merging.
 *
 * @example
 * ```ts
 * import bearerGuard from '@bearerguard/fastify'
 *
 * await app.register(bearerGuard, { issuer, audience })
 * app.addHook('onRequest', app.requireAuth())
 * app.post('/v1/products', { onRequest: app.requireAuth({ permissions: ['write'] }) }, create)
 * ```
 *
 * @packageDocumentation
 */
import type { AuthResult, Verifier } from "@bearerguard/core";
import type { onRequestHookHandler } from "fastify";
import { bearerGuard } from "./plugin.js";
import type { AuthHook, FastifyAuthOptions } from "./require-auth.js";

declare module "fastify" {
	interface FastifyRequest {
		/** The verified token, set by a `requireAuth` hook; `null` before it ran or for an `optional` guard without credentials. */
		auth: AuthResult | null;
	}
	interface FastifyInstance {
		/**
		 * An `onRequest` hook that verifies the bearer token, with `options` merged over the plugin's.
		 *
		 * @example
		 * ```ts
		 * app.delete('/v1/products/:id', { onRequest: app.requireAuth({ permissions: ['delete'] }) }, remove)
		 * ```
		 */
		requireAuth(options?: FastifyAuthOptions): AuthHook;
		/**
		 * An `onRequest` hook that requires every one of `permissions` in the `request.auth` of a hook
		 * before it (403 `insufficient_scope` otherwise), without verifying again. With no hook before
		 * it, requests fail as a programming error (a `GuardSetupError` for Fastify's error handler).
		 *
		 * @example
		 * ```ts
		 * app.addHook('onRequest', app.requireAuth())
		 * app.delete('/v1/products/:id', { onRequest: app.requirePermissions('delete') }, remove)
		 * ```
		 */
		requirePermissions(...permissions: string[]): onRequestHookHandler;
		/**
		 * The verifier of the plugin's options, shared with every `requireAuth` that adds no verifier
		 * option of its own: `ready()` and `health()` for a readiness route. Made on first use (a
		 * `TypeError` if the plugin's options and the environment configure no issuer), or at
		 * registration with `prefetch: true`.
		 *
		 * @example
		 * ```ts
		 * app.get('/readyz', async (request, reply) => {
		 *   const health = app.authVerifier.health()
		 *   return reply.code(health.ready ? 200 : 503).send(health)
		 * })
		 * ```
		 */
		readonly authVerifier: Verifier;
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
export { type AuthHook, type FastifyAuthOptions, requireAuth } from "./require-auth.js";
export { registerResourceMetadata } from "./resource-metadata.js";
export { bearerGuard };
export default bearerGuard;
