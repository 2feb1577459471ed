/**
 * The per-request marker that a `BearerGuard` let the request through, for the guards after it: a
 * guard with only guard options (it reuses `request.auth`) and the check of `@RequirePermissions`
 * (that some `BearerGuard` guards the route). It holds how that guard answers failures.
 */
import type { Responder } from "./responder.js";

/** The marker's key: no app code holds it, so no `request.x = ...` can forge it. */
const kPassed = Symbol("bearerguard.passed");

interface Marked {
	[kPassed]?: Responder;
}

/** Marks the platform's request as let through by a guard that answers failures with `responder`. */
export function markPassed(request: object, responder: Responder): void {
	(request as Marked)[kPassed] = responder;
}

/**
 * The responder of the `BearerGuard` that let the request through, or `undefined` when none did. Takes
 * any first handler argument (an RPC payload too): one property read.
 */
export function passedBy(request: unknown): Responder | undefined {
	return (request as Marked | null | undefined)?.[kPassed];
}
