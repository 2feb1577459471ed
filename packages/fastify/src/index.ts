/**
 * `@bearerguard/fastify`: a Fastify 5 plugin that verifies OAuth 2.0 bearer tokens and sets
 * `request.auth`, typed by declaration merging.
 *
 * @example
 * ```ts
 * import bearerGuard from '@bearerguard/fastify'
 *
 * await app.register(bearerGuard, { issuer, audience })
 * app.post('/v1/products', { onRequest: app.requireAuth({ permissions: ['write'] }) }, create)
 * ```
 *
 * @packageDocumentation
 */
import type { AuthResult } from "@bearerguard/core";
import type { onRequestHookHandler } from "fastify";
import { bearerGuard } from "./plugin.js";
import type { FastifyAuthOptions } from "./require-auth.js";

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
		requireAuth(options?: FastifyAuthOptions): onRequestHookHandler;
	}
}

export {
	type AdapterOptions,
	type AuthResult,
	BearerError,
	type CustomClaims,
	type ErrorHandling,
	type ErrorHook,
	type ErrorResponse,
	InsufficientScopeError,
	InvalidRequestError,
	InvalidTokenError,
	type ProtectedResourceMetadata,
	type ResourceOptions,
	TemporarilyUnavailableError,
} from "@bearerguard/core";
export { type FastifyAuthOptions, requireAuth } from "./require-auth.js";
export { registerResourceMetadata } from "./resource-metadata.js";
export { bearerGuard };
export default bearerGuard;
