import { createPermissionsCheck } from "@bearerguard/core";
import type { RequestHandler } from "express";
import { defaultResponder, getResponder } from "./lib/respond.js";

/**
 * Express middleware that requires every one of `permissions` in the `req.auth` of an earlier
 * {@link requireAuth}: a 403 `insufficient_scope` names them in its challenge. When that `requireAuth`
 * went on without credentials (`optional`), it answers the bare 401. Failures are answered as that
 * `requireAuth` was configured (`onError`, `errorHandling`, `realm`). With no `requireAuth` before it,
 * every request is a programming error: `next(err)` gets a `GuardSetupError` that says what to add.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): RequestHandler {
	const check = createPermissionsCheck(permissions);
	return function requirePermissions(req, res, next) {
		const responder = getResponder(res);
		try {
			check(req.auth ?? (responder === undefined ? undefined : null));
		} catch (error) {
			(responder ?? defaultResponder)(error, req, res, next);
			return;
		}
		next();
	};
}
