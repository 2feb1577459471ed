import {
	type AdapterOptions,
	type AuthOptions,
	type AuthResult,
	createAuthenticator,
	splitAdapterOptions,
	toRequestLike,
} from "@bearerguard/core";
import type { FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import { createResponder } from "./lib/respond.js";

/**
 * Options of {@link requireAuth} and of the plugin: the core's verifier and guard options (`issuer`,
 * `audience`, `permissions`, `anyPermission`, `optional`, ...), plus how failures are answered (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: FastifyAuthOptions = { issuer, audience, anyPermission: ['write', 'admin'] }
 * ```
 */
export interface FastifyAuthOptions extends AuthOptions, AdapterOptions {}

/**
 * A Fastify `onRequest` hook that verifies the request's bearer token and sets `request.auth`; usable
 * without the plugin (then `request.auth` is not decorated up front).
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or handed to Fastify's error handler with `errorHandling: 'framework'`.
 * `onRequest` runs before the body is parsed: for `allowBodyToken`, parse form bodies and use the
 * hook as `preHandler`.
 *
 * @example
 * ```ts
 * app.get('/me', { onRequest: requireAuth({ issuer, audience }) }, async (request) => ({
 *   subject: request.auth?.subject,
 * }))
 * ```
 */
export function requireAuth(options?: FastifyAuthOptions): onRequestHookHandler {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const respond = createResponder(settings, authenticator.realm);
	return function requireAuth(request, reply, done) {
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = authenticator.authenticate(toRequestLike(request.raw, request));
		} catch (error) {
			respond(error, reply, done);
			return;
		}
		// A cached token answers synchronously: no promise and no closure on that path.
		if (result instanceof Promise) {
			result.then(
				(auth) => accept(request, done, auth),
				(error: unknown) => respond(error, reply, done),
			);
		} else {
			accept(request, done, result);
		}
	};
}

function accept(request: FastifyRequest, done: HookHandlerDoneFunction, auth: AuthResult | undefined): void {
	request.auth = auth ?? null;
	done();
}
