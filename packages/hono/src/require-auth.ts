import {
	type AdapterOptions,
	type AuthOptions,
	type AuthResult,
	createAuthenticator,
	splitAdapterOptions,
} from "@bearerguard/core";
import type { Context, MiddlewareHandler, Next } from "hono";
import { honoReader, keepBody } from "./lib/reader.js";
import { createResponder, setResponder } from "./lib/respond.js";
import { metadataFirst } from "./resource-metadata.js";

/**
 * The variables `requireAuth` sets: `c.get('auth')` is the verified token, `undefined` for an
 * `optional` guard without credentials.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: AuthVariables }>()
 * app.get('/me', (c) => c.json({ subject: c.get('auth')?.subject }))
 * ```
 */
export type AuthVariables = { auth: AuthResult | undefined };

/**
 * The Hono environment of the middleware: `{ Variables: AuthVariables }`.
 *
 * @example
 * ```ts
 * const app = new Hono<AuthEnv>()
 * ```
 */
export type AuthEnv = { Variables: AuthVariables };

/**
 * Options of {@link requireAuth}: the core's verifier and guard options (`issuer`, `audience`,
 * `permissions`, `anyPermission`, `optional`, `resource`, ...), plus how failures are answered
 * (`onError`, `errorHandling`).
 *
 * @example
 * ```ts
 * const options: HonoAuthOptions = { issuer, audience, permissions: ['write'], errorHandling: 'framework' }
 * ```
 */
export interface HonoAuthOptions extends AuthOptions, AdapterOptions<Context> {}

const isForm = (c: Context) =>
	c.req.header("content-type")?.toLowerCase().startsWith("application/x-www-form-urlencoded") === true;

/**
 * Hono middleware (Hono 4, on Node with `@hono/node-server`, or any runtime) that verifies the request's
 * bearer token and sets `c.get('auth')`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share one
 * verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON body, or
 * thrown to Hono's `onError` as an `HTTPException` with `errorHandling: 'framework'`. With `resource`,
 * it answers the protected resource metadata's well-known paths (RFC 9728) before authenticating.
 *
 * @example
 * ```ts
 * app.use('/v1/*', requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.get('/v1/me', (c) => c.json({ subject: c.get('auth')?.subject }))
 * ```
 */
export function requireAuth(options?: HonoAuthOptions): MiddlewareHandler<AuthEnv> {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const { authenticate, successHeaders } = authenticator;
	const respond = createResponder(settings, authenticator.challengeSettings);
	const accept = (c: Context, next: Next, auth: AuthResult | undefined) => {
		c.set("auth", auth);
		setResponder(c, respond);
		if (successHeaders !== undefined && auth !== undefined) {
			for (const [name, value] of Object.entries(successHeaders(auth) ?? {})) c.header(name, value);
		}
		return next();
	};
	const check = (c: Context, next: Next): Promise<Response | undefined> => {
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = authenticate(c, honoReader);
		} catch (error) {
			return Promise.resolve(respond(error, c));
		}
		// A cached token answers synchronously: no promise of ours before the next middleware.
		if (result instanceof Promise) {
			return result.then(
				(auth) => accept(c, next, auth) as Promise<undefined>,
				(error: unknown) => respond(error, c),
			);
		}
		return accept(c, next, result) as Promise<undefined>;
	};
	// RFC 6750 §2.2: a form body's access_token is read once Hono has parsed the body.
	const bodyToken = settings.authOptions.allowBodyToken === true;
	const guard: MiddlewareHandler = function requireAuth(c, next) {
		if (!bodyToken || !isForm(c)) return check(c, next);
		return c.req.parseBody({ all: true }).then((body) => {
			keepBody(c, body);
			return check(c, next);
		});
	};
	const metadata = authenticator.resourceMetadata;
	return metadata === undefined ? guard : metadataFirst(metadata, guard);
}
