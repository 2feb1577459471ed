import {
	type AdapterOptions,
	type AuthOptions,
	type AuthResult,
	createAuthenticator,
	splitAdapterOptions,
} from "@bearerguard/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { expressReader } from "./lib/reader.js";
import { createResponder, setResponder } from "./lib/respond.js";
import { metadataFirst } from "./resource-metadata.js";

/**
 * Options of {@link requireAuth}: the core's verifier and guard options (`issuer`, `audience`,
 * `permissions`, `anyPermission`, `optional`, ...), plus how failures are answered (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: ExpressAuthOptions = { issuer, audience, permissions: ['write'], errorHandling: 'framework' }
 * ```
 */
export interface ExpressAuthOptions extends AuthOptions, AdapterOptions<Request> {}

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
	const { authenticate, successHeaders } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
	const accept = (req: Request, res: Response, next: NextFunction, auth: AuthResult | undefined) => {
		req.auth = auth;
		setResponder(res, respond);
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) res.set(headers);
		}
		next();
	};
	const guard: RequestHandler = function requireAuth(req, res, next) {
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = authenticate(req, expressReader);
		} catch (error) {
			respond(error, req, res, next);
			return;
		}
		// A cached token answers synchronously: no promise and no closure on that path.
		if (result instanceof Promise) {
			result.then(
				(auth) => accept(req, res, next, auth),
				(error: unknown) => respond(error, req, res, next),
			);
		} else {
			accept(req, res, next, result);
		}
	};
	// With `resource`, the metadata's well-known paths are answered before authenticating.
	const metadata = authenticator.resourceMetadata;
	return metadata === undefined ? guard : metadataFirst(metadata, guard);
}
