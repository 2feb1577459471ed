import {
	type AdapterOptions,
	type AdapterSettings,
	type Authenticator,
	type AuthOptions,
	type AuthResult,
	attachVerifier,
	createAuthenticator,
	splitAdapterOptions,
	type Verifier,
} from "@bearerguard/core";
import type { Context, Middleware, Next } from "koa";
import { koaReader } from "./lib/reader.js";
import { createResponder, getResponder, type Responder, setResponder } from "./lib/respond.js";
import { metadataFirst } from "./resource-metadata.js";

/**
 * Options of {@link requireAuth}: the core's verifier and guard options (`issuer`, `audience`,
 * `permissions`, `anyPermission`, `optional`, ...), plus how failures are answered (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: KoaAuthOptions = { issuer, audience, optional: true, onError: (error) => ({ message: error.message }) }
 * ```
 */
export interface KoaAuthOptions extends AuthOptions, AdapterOptions<Context> {}

/**
 * The middleware {@link requireAuth} returns, with the shared verifier behind it: `verifier.ready()`
 * and `verifier.health()` for a readiness route.
 *
 * @example
 * ```ts
 * const auth = requireAuth({ issuer, audience, prefetch: true })
 * app.use((ctx, next) => (ctx.path === '/readyz' ? void (ctx.status = auth.verifier.health().ready ? 200 : 503) : next()))
 * ```
 */
export type AuthMiddleware = Middleware & { readonly verifier: Verifier };

/**
 * Koa 2 and 3 middleware that verifies the request's bearer token and sets `ctx.state.auth`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or thrown to Koa's error handling with `errorHandling: 'framework'`. Given only guard options
 * (`requireAuth({ permissions: ['write'] })`), it reuses the `ctx.state.auth` of a `requireAuth` before it.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.use((ctx) => { ctx.body = { subject: ctx.state.auth?.subject } })
 * ```
 */
export function requireAuth(options?: KoaAuthOptions): AuthMiddleware {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const { authenticate, successHeaders } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
	if (authenticator.reusesUpstream) {
		return withMetadata(reusing(authenticator, settings, respond), authenticator);
	}
	const accept = (ctx: Context, next: Next, auth: AuthResult | undefined) => {
		ctx.state.auth = auth;
		setResponder(ctx, respond);
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) ctx.set(headers);
		}
		return next();
	};
	const guard: Middleware = function requireAuth(ctx, next) {
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = authenticate(ctx, koaReader);
		} catch (error) {
			// respond() throws for errorHandling 'framework': the rejection goes to Koa's error handling.
			return new Promise<void>((resolve) => resolve(respond(error, ctx)));
		}
		// A cached token answers synchronously: no async wrapper, no closure, no tick before the next middleware.
		if (result instanceof Promise) {
			return result.then(
				(auth) => accept(ctx, next, auth),
				(error: unknown) => respond(error, ctx),
			);
		}
		return accept(ctx, next, result);
	};
	return withMetadata(guard, authenticator);
}

/**
 * A `requireAuth` given only guard options. After a `requireAuth` (its responder is in `ctx.state`),
 * it checks that one's `ctx.state.auth` (no second verification) and answers failures as that one was
 * configured, unless it has `onError` or `errorHandling` of its own; else it verifies as configured
 * by the environment (or fails as a programming error when nothing is).
 */
function reusing(
	authenticator: Authenticator,
	settings: AdapterSettings<Context>,
	own: Responder,
): Middleware {
	const { authenticate, reuse, successHeaders } = authenticator;
	const answersOwn = settings.onError !== undefined || settings.framework;
	const accept = (
		ctx: Context,
		next: Next,
		auth: AuthResult | undefined,
		upstream: Responder | undefined,
	) => {
		ctx.state.auth = auth;
		if (upstream === undefined) setResponder(ctx, own);
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) ctx.set(headers);
		}
		return next();
	};
	return function requireAuth(ctx, next) {
		// The responder marks a request that a requireAuth let through.
		const upstream = getResponder(ctx);
		const respond = upstream === undefined || answersOwn ? own : upstream;
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result =
				upstream === undefined ? authenticate(ctx, koaReader) : reuse(ctx, koaReader, ctx.state.auth ?? null);
		} catch (error) {
			return new Promise<void>((resolve) => resolve(respond(error, ctx)));
		}
		if (result instanceof Promise) {
			return result.then(
				(auth) => accept(ctx, next, auth, upstream),
				(error: unknown) => respond(error, ctx),
			);
		}
		return accept(ctx, next, result, upstream);
	};
}

/**
 * The finished middleware: the protected resource metadata's well-known paths answered first when
 * `resource` is configured, and the verifier reachable as `.verifier`.
 */
function withMetadata(guard: Middleware, authenticator: Authenticator): AuthMiddleware {
	const metadata = authenticator.resourceMetadata;
	return attachVerifier(
		metadata === undefined ? guard : metadataFirst(metadata, guard),
		authenticator.verifier,
	);
}
