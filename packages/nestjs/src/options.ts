import type { IncomingHttpHeaders } from "node:http";
import type { AdapterOptions, AuthOptions, AuthResult } from "@bearerguard/core";

/** The injection token of the options `BearerGuardModule` gives the guard. */
export const BEARERGUARD_OPTIONS = Symbol.for("@bearerguard/nestjs:options");

/**
 * What the guard reads and writes of a request on either platform: Express's `req` or Fastify's
 * `request`. `auth` is the verified token once the guard let the request through.
 */
export interface AuthenticatedRequest {
	readonly headers: IncomingHttpHeaders;
	/** The verified token; `undefined` before the guard ran, on a `@Public()` route, or for `@OptionalAuth()` without credentials. */
	auth?: AuthResult | undefined;
}

/**
 * Options of the guard (and of `BearerGuardModule.forRoot`): the core's verifier and guard options
 * (`issuer`, `audience`, `permissions`, `resource`, ...), plus how failures are answered (`onError`,
 * `errorHandling`: `'framework'` throws a `BearerHttpException` to Nest's exception filters).
 *
 * @example
 * ```ts
 * const options: NestAuthOptions = { issuer, audience, errorHandling: 'framework' }
 * ```
 */
export interface NestAuthOptions extends AuthOptions, AdapterOptions<AuthenticatedRequest> {}
