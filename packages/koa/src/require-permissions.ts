import { authorize, invalidToken } from "@bearerguard/core";
import type { Middleware } from "koa";
import { defaultResponder, getResponder } from "./lib/respond.js";

/** RFC 6750 scope-token characters: what a permission may be made of. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Koa middleware that requires every one of `permissions` in the `ctx.state.auth` of an earlier
 * {@link requireAuth}: a 403 `insufficient_scope` names them in its challenge. Without
 * `ctx.state.auth` it answers the bare 401. Failures are answered as that `requireAuth` was
 * configured (`onError`, `errorHandling`, `realm`).
 *
 * @example
 * ```ts
 * router.delete('/v1/products/:id', requireAuth({ issuer, audience }), requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): Middleware {
	if (permissions.length === 0 || !permissions.every((p) => typeof p === "string" && SCOPE_TOKEN.test(p))) {
		throw new TypeError(
			"bearerguard: requirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as requirePermissions('write').",
		);
	}
	const requirement = { permissions: Object.freeze([...permissions]) };
	return async function requirePermissions(ctx, next) {
		const respond = getResponder(ctx) ?? defaultResponder;
		const auth = ctx.state.auth;
		if (auth === undefined) {
			respond(invalidToken("token_missing"), ctx);
			return;
		}
		try {
			authorize(auth, requirement);
		} catch (error) {
			respond(error, ctx);
			return;
		}
		await next();
	};
}
