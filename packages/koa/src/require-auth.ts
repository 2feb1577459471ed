import {
	type AdapterOptions,
	type AuthOptions,
	type AuthResult,
	createAuthenticator,
	splitAdapterOptions,
} from "@bearerguard/core";
import type { Context, Middleware, Next } from "koa";
import { koaReader } from "./lib/reader.js";
import { createResponder, setResponder } from "./lib/respond.js";
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
 * Koa 2 and 3 middleware that verifies the request's bearer token and sets `ctx.state.auth`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or thrown to Koa's error handling with `errorHandling: 'framework'`.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.use((ctx) => { ctx.body = { subject: ctx.state.auth?.subject } })
 * ```
 */
export function requireAuth(options?: KoaAuthOptions): Middleware {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const { authenticate, successHeaders } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
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
	// With `resource`, the metadata's well-known paths are answered before authenticating.
	const metadata = authenticator.resourceMetadata;
	return metadata === undefined ? guard : metadataFirst(metadata, guard);
}
