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
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { expressReader } from "./lib/reader.js";
import { createResponder, getResponder, type Responder, setResponder } from "./lib/respond.js";
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
 * The middleware {@link requireAuth} returns, with the shared verifier behind it: `verifier.ready()`
 * and `verifier.health()` for a readiness route.
 *
 * @example
 * ```ts
 * const auth = requireAuth({ issuer, audience, prefetch: true })
 * app.get('/readyz', (req, res) => { res.status(auth.verifier.health().ready ? 200 : 503).end() })
 * ```
 */
export type AuthMiddleware = RequestHandler & { readonly verifier: Verifier };

/**
 * Express 4 and 5 middleware that verifies the request's bearer token and sets `req.auth`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share
 * one verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON
 * body, or handed to `next(err)` with `errorHandling: 'framework'`. Given only guard options
 * (`requireAuth({ permissions: ['write'] })`), it reuses the `req.auth` of a `requireAuth` before it.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.post('/v1/products', requireAuth({ permissions: ['write'] }), (req, res) => {
 *   res.json({ createdBy: req.auth?.subject })
 * })
 * ```
 */
export function requireAuth(options?: ExpressAuthOptions): AuthMiddleware {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const { authenticate, successHeaders } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
	if (authenticator.reusesUpstream) {
		return withMetadata(reusing(authenticator, settings, respond), authenticator);
	}
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
	return withMetadata(guard, authenticator);
}

/**
 * A `requireAuth` given only guard options. After a `requireAuth` (its responder is on the request),
 * it checks that one's `req.auth` (no second verification) and answers failures as that one was
 * configured, unless it has `onError` or `errorHandling` of its own; else it verifies as configured
 * by the environment (or fails as a programming error when nothing is).
 */
function reusing(
	authenticator: Authenticator,
	settings: AdapterSettings<Request>,
	own: Responder,
): RequestHandler {
	const { authenticate, reuse, successHeaders } = authenticator;
	const answersOwn = settings.onError !== undefined || settings.framework;
	const accept = (
		req: Request,
		res: Response,
		next: NextFunction,
		auth: AuthResult | undefined,
		upstream: Responder | undefined,
	) => {
		req.auth = auth;
		if (upstream === undefined) setResponder(res, own);
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) res.set(headers);
		}
		next();
	};
	return function requireAuth(req, res, next) {
		// The responder marks a request that a requireAuth let through (res.locals: cheap to read).
		const upstream = getResponder(res);
		const respond = upstream === undefined || answersOwn ? own : upstream;
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result =
				upstream === undefined
					? authenticate(req, expressReader)
					: reuse(req, expressReader, req.auth ?? null);
		} catch (error) {
			respond(error, req, res, next);
			return;
		}
		if (result instanceof Promise) {
			result.then(
				(auth) => accept(req, res, next, auth, upstream),
				(error: unknown) => respond(error, req, res, next),
			);
		} else {
			accept(req, res, next, result, upstream);
		}
	};
}

/**
 * The finished middleware: the protected resource metadata's well-known paths answered first when
 * `resource` is configured, and the verifier reachable as `.verifier`.
 */
function withMetadata(guard: RequestHandler, authenticator: Authenticator): AuthMiddleware {
	const metadata = authenticator.resourceMetadata;
	return attachVerifier(
		metadata === undefined ? guard : metadataFirst(metadata, guard),
		authenticator.verifier,
	);
}
