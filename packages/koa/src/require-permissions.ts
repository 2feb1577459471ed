import { createPermissionsCheck } from "@bearerguard/core";
import type { Middleware } from "koa";
import { defaultResponder, getResponder } from "./lib/respond.js";

/**
 * Koa middleware that requires every one of `permissions` in the `ctx.state.auth` of an earlier
 * {@link requireAuth}: a 403 `insufficient_scope` names them in its challenge. When that `requireAuth`
 * went on without credentials (`optional`), it answers the bare 401. Failures are answered as that
 * `requireAuth` was configured (`onError`, `errorHandling`, `realm`). With no `requireAuth` before it,
 * every request is a programming error: a `GuardSetupError` that says what to add is thrown to Koa.
 *
 * @example
 * ```ts
 * router.delete('/v1/products/:id', requireAuth({ issuer, audience }), requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): Middleware {
	const check = createPermissionsCheck(permissions);
	return async function requirePermissions(ctx, next) {
		const responder = getResponder(ctx);
		try {
			check(ctx.state.auth ?? (responder === undefined ? undefined : null));
		} catch (error) {
			(responder ?? defaultResponder)(error, ctx);
			return;
		}
		await next();
	};
}
