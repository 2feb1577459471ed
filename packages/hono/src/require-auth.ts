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
import type { Context, MiddlewareHandler, Next } from "hono";
import { honoReader, keepBody } from "./lib/reader.js";
import { createResponder, getResponder, type Responder, setResponder } from "./lib/respond.js";
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

/** One guard's check of a request, once its body (if needed) is parsed. */
type Check = (c: Context, next: Next) => Promise<Response | undefined>;

/**
 * Hono middleware (Hono 4, on Node with `@hono/node-server`, or any runtime) that verifies the request's
 * bearer token and sets `c.get('auth')`.
 *
 * Options not given come from `BEARERGUARD_*` environment variables; everything is checked when
 * `requireAuth()` runs (a `TypeError` says what to fix). Calls with the same verifier options share one
 * verifier and JWKS cache. A failure is answered with the contract's status, headers and JSON body, or
 * thrown to Hono's `onError` as an `HTTPException` with `errorHandling: 'framework'`. With `resource`,
 * it answers the protected resource metadata's well-known paths (RFC 9728) before authenticating.
 * Given only guard options (`requireAuth({ permissions: ['write'] })`), it reuses the `c.get('auth')`
 * of a `requireAuth` before it; with nothing before it and nothing configured, it throws a
 * `GuardSetupError` that says what to add to Hono's `onError`.
 *
 * @example
 * ```ts
 * app.use('/v1/*', requireAuth({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }))
 * app.post('/v1/products', requireAuth({ permissions: ['write'] }), (c) => c.json({ createdBy: c.get('auth')?.subject }))
 * ```
 */
export function requireAuth(
	options?: HonoAuthOptions,
): MiddlewareHandler<AuthEnv> & { readonly verifier: Verifier } {
	const settings = splitAdapterOptions(options);
	const authenticator = createAuthenticator(settings.authOptions);
	const respond = createResponder(settings, authenticator.challengeSettings);
	const check = authenticator.reusesUpstream
		? reusing(authenticator, settings, respond)
		: verifying(authenticator, respond);
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
	// The verifier is reachable as `.verifier` (`ready()`, `health()`), for a readiness route.
	return attachVerifier(
		metadata === undefined ? guard : metadataFirst(metadata, guard),
		authenticator.verifier,
	);
}

/**
 * What a guard does with a request it lets through: sets `auth`, marks the request with `mark` (its
 * responder) unless a guard before it did, adds the verifier's success headers, and goes on.
 */
function accepting(successHeaders: Authenticator["successHeaders"]) {
	return (c: Context, next: Next, auth: AuthResult | undefined, mark: Responder | undefined) => {
		c.set("auth", auth);
		if (mark !== undefined) setResponder(c, mark);
		if (successHeaders !== undefined && auth !== undefined) {
			for (const [name, value] of Object.entries(successHeaders(auth) ?? {})) c.header(name, value);
		}
		return next() as Promise<undefined>;
	};
}

/** The check of a guard with verifier options of its own: it always verifies. */
function verifying(authenticator: Authenticator, respond: Responder): Check {
	const { authenticate } = authenticator;
	const accept = accepting(authenticator.successHeaders);
	return (c, next) => {
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = authenticate(c, honoReader);
		} catch (error) {
			return Promise.resolve(respond(error, c));
		}
		// A cached token answers synchronously: no promise of ours before the next middleware.
		if (result instanceof Promise) {
			return result.then(
				(auth) => accept(c, next, auth, respond),
				(error: unknown) => respond(error, c),
			);
		}
		return accept(c, next, result, respond);
	};
}

/**
 * The check of a `requireAuth` given only guard options. After a `requireAuth` (its responder marks
 * the request), it checks that one's `c.get('auth')` (no second verification) and answers failures as
 * that one was configured, unless it has `onError` or `errorHandling` of its own; else it verifies as
 * configured by the environment (or fails as a programming error when nothing is).
 */
function reusing(authenticator: Authenticator, settings: AdapterSettings<Context>, own: Responder): Check {
	const { authenticate, reuse } = authenticator;
	const accept = accepting(authenticator.successHeaders);
	const answersOwn = settings.onError !== undefined || settings.framework;
	return (c, next) => {
		const upstream = getResponder(c);
		const respond = upstream === undefined || answersOwn ? own : upstream;
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result =
				upstream === undefined
					? authenticate(c, honoReader)
					: reuse(c, honoReader, (c.get("auth") as AuthResult | undefined) ?? null);
		} catch (error) {
			return Promise.resolve(respond(error, c));
		}
		const mark = upstream === undefined ? own : undefined;
		if (result instanceof Promise) {
			return result.then(
				(auth) => accept(c, next, auth, mark),
				(error: unknown) => respond(error, c),
			);
		}
		return accept(c, next, result, mark);
	};
}
