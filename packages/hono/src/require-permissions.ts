import { authorize, invalidToken } from "@bearerguard/core";
import type { MiddlewareHandler } from "hono";
import { getResponder } from "./lib/respond.js";
import type { AuthEnv } from "./require-auth.js";

/** RFC 6750 scope-token characters: what a permission may be made of. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Hono middleware that requires every one of `permissions` in the `c.get('auth')` of an earlier
 * `requireAuth`: a 403 `insufficient_scope` names them in its challenge. Without `auth` it answers the
 * bare 401. Failures are answered as that `requireAuth` was configured (`onError`, `errorHandling`,
 * `realm`, `resource`).
 *
 * @example
 * ```ts
 * app.use('/v1/*', requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): MiddlewareHandler<AuthEnv> {
	if (permissions.length === 0 || !permissions.every((p) => typeof p === "string" && SCOPE_TOKEN.test(p))) {
		throw new TypeError(
			"bearerguard: requirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as requirePermissions('write').",
		);
	}
	const requirement = { permissions: Object.freeze([...permissions]) };
	return function requirePermissions(c, next) {
		const auth = c.get("auth");
		if (auth === undefined) return Promise.resolve(getResponder(c)(invalidToken("token_missing"), c));
		try {
			authorize(auth, requirement);
		} catch (error) {
			return Promise.resolve(getResponder(c)(error, c));
		}
		return next();
	};
}
