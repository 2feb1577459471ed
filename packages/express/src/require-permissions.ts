import { authorize, invalidToken } from "@bearerguard/core";
import type { RequestHandler } from "express";
import { defaultResponder, getResponder } from "./lib/respond.js";

/** RFC 6750 scope-token characters: what a permission may be made of. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Express middleware that requires every one of `permissions` in the `req.auth` of an earlier
 * {@link requireAuth}: a 403 `insufficient_scope` names them in its challenge. Without `req.auth`
 * it answers the bare 401. Failures are answered as that `requireAuth` was configured (`onError`,
 * `errorHandling`, `realm`).
 *
 * @example
 * ```ts
 * app.use(requireAuth({ issuer, audience }))
 * app.delete('/v1/products/:id', requirePermissions('delete'), remove)
 * ```
 */
export function requirePermissions(...permissions: string[]): RequestHandler {
	if (permissions.length === 0 || !permissions.every((p) => typeof p === "string" && SCOPE_TOKEN.test(p))) {
		throw new TypeError(
			"bearerguard: requirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as requirePermissions('write').",
		);
	}
	const requirement = { permissions: Object.freeze([...permissions]) };
	return function requirePermissions(req, res, next) {
		const respond = getResponder(res) ?? defaultResponder;
		if (req.auth === undefined) {
			respond(invalidToken("token_missing"), req, res, next);
			return;
		}
		try {
			authorize(req.auth, requirement);
		} catch (error) {
			respond(error, req, res, next);
			return;
		}
		next();
	};
}
