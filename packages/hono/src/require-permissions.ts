import { type AuthResult, createPermissionsCheck } from "@bearerguard/core";
import type { MiddlewareHandler } from "hono";
import { defaultResponder, getResponder } from "./lib/respond.js";
import type { AuthEnv } from "./require-auth.js";

/**
 * Hono middleware that requires every one of `permissions` in the `c.get('auth')` of an earlier
 * `requireAuth`: a 403 `insufficient_scope` names them in its challenge. When that `requireAuth` went
 * on without credentials (`optional`), it answers the bare 401. Failures are answered as that
 * `requireAuth` was configured (`onError`, `errorHandling`, `realm`, `resource`). With no `requireAuth`
 * before it, every request is a programming error: Hono's `onError` gets a `GuardSetupError` that says
 * what to add. Bad names are a `TypeError` now.
 *
 * @example
 * ```ts
 * app.use('/v1/*', requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): MiddlewareHandler<AuthEnv> {
	const check = createPermissionsCheck(permissions);
	return function requirePermissions(c, next) {
		const responder = getResponder(c);
		try {
			check((c.get("auth") as AuthResult | undefined) ?? (responder === undefined ? undefined : null));
		} catch (error) {
			return Promise.resolve((responder ?? defaultResponder)(error, c));
		}
		return next();
	};
}
