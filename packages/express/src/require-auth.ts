import {
	type AdapterOptions,
	type AuthOptions,
	createAuthenticator,
	settle,
	splitAdapterOptions,
	toRequestLike,
} from "@bearerguard/core";
import type { RequestHandler } from "express";
import { createResponder, setResponder } from "./lib/respond.js";

/**
 * Options of {@link requireAuth}: the core's verifier and guard options (`issuer`, `audience`,
 * `permissions`, `anyPermission`, `optional`, ...), plus how failures are answered (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: ExpressAuthOptions = { issuer, audience, permissions: ['write'], errorHandling: 'framework' }
 * ```
 */
export interface ExpressAuthOptions extends AuthOptions, AdapterOptions {}

/**
 * Express 4 and 5 middleware that verifies the request's bearer token and sets `req.auth`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or handed to `next(err)` with `errorHandling: 'framework'`.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.post('/v1/products', requireAuth({ permissions: ['write'] }), (req, res) => {
 *   res.json({ createdBy: req.auth?.subject })
 * })
 * ```
 */
export function requireAuth(options?: ExpressAuthOptions): RequestHandler {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const respond = createResponder(settings, authenticator.realm);
	return function requireAuth(req, res, next) {
		settle(
			() => authenticator.authenticate(toRequestLike(req, req)),
			(auth) => {
				req.auth = auth;
				setResponder(res, respond);
				next();
			},
			(error) => respond(error, res, next),
		);
	};
}
