import {
	type AdapterOptions,
	type AuthOptions,
	type AuthResult,
	attachVerifier,
	createAuthenticator,
	splitAdapterOptions,
	type Verifier,
} from "@bearerguard/core";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from "fastify";
import { fastifyReader } from "./lib/reader.js";
import { createResponder } from "./lib/respond.js";
import { markPassedWithout, upstreamOf } from "./lib/upstream.js";

/**
 * Options of {@link requireAuth} and of the plugin: the core's verifier and guard options (`issuer`,
 * `audience`, `permissions`, `anyPermission`, `optional`, ...), plus how failures are answered (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: FastifyAuthOptions = { issuer, audience, anyPermission: ['write', 'admin'] }
 * ```
 */
export interface FastifyAuthOptions extends AuthOptions, AdapterOptions<FastifyRequest> {}

/**
 * The hook {@link requireAuth} returns, with the shared verifier behind it (`ready()`, `health()`).
 *
 * @example
 * ```ts
 * const hook = requireAuth({ issuer, audience })
 * await hook.verifier.ready()
 * ```
 */
export type AuthHook = onRequestHookHandler & { readonly verifier: Verifier };

/**
 * A Fastify `onRequest` hook that verifies the request's bearer token and sets `request.auth`; usable
 * without the plugin (then `request.auth` is not decorated up front).
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or handed to Fastify's error handler with `errorHandling: 'framework'`. Given only guard
 * options (`requireAuth({ permissions: ['write'] })`), it reuses the `request.auth` of a hook before it.
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
export function requireAuth(options?: FastifyAuthOptions): AuthHook {
	return createHook(options, undefined);
}

/**
 * The hook of `requireAuth` and of the plugin's `app.requireAuth`; `reuseUpstream` says whether it
 * reuses the `request.auth` of a hook before it (default: when `options` hold only guard options).
 */
export function createHook(
	options: FastifyAuthOptions | undefined,
	reuseUpstream: boolean | undefined,
): AuthHook {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions, process.env, { reuseUpstream });
	const { authenticate, reuse, successHeaders, reusesUpstream } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
	const accept = (
		request: FastifyRequest,
		reply: FastifyReply,
		done: HookHandlerDoneFunction,
		auth: AuthResult | undefined,
	) => {
		if (auth === undefined) {
			request.auth = null;
			markPassedWithout(request);
		} else {
			request.auth = auth;
		}
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) reply.headers(headers);
		}
		done();
	};
	const settle = (
		result: AuthResult | undefined | Promise<AuthResult | undefined>,
		request: FastifyRequest,
		reply: FastifyReply,
		done: HookHandlerDoneFunction,
	) => {
		// A cached token answers synchronously: no promise and no closure on that path.
		if (result instanceof Promise) {
			result.then(
				(auth) => accept(request, reply, done, auth),
				(error: unknown) => respond(error, request, reply, done),
			);
		} else {
			accept(request, reply, done, result);
		}
	};
	let hook: onRequestHookHandler;
	if (reusesUpstream) {
		const configured = authenticator.verifier !== undefined;
		hook = function requireAuth(request, reply, done) {
			const upstream = request.auth;
			let result: AuthResult | undefined | Promise<AuthResult | undefined>;
			try {
				// Without an earlier hook's auth, a configured hook verifies: no credentials is then its
				// own answer (the bare 401, or null when optional), as after an optional hook.
				result =
					upstream != null || !configured
						? reuse(request, fastifyReader, upstream ?? upstreamOf(request))
						: authenticate(request, fastifyReader);
			} catch (error) {
				respond(error, request, reply, done);
				return;
			}
			settle(result, request, reply, done);
		};
	} else {
		hook = function requireAuth(request, reply, done) {
			let result: AuthResult | undefined | Promise<AuthResult | undefined>;
			try {
				result = authenticate(request, fastifyReader);
			} catch (error) {
				respond(error, request, reply, done);
				return;
			}
			settle(result, request, reply, done);
		};
	}
	return attachVerifier(hook, authenticator.verifier);
}
