import type { AuthResult } from "@bearerguard/core";
import type { FastifyRequest } from "fastify";

/** Requests that a `requireAuth` hook let through without credentials (`optional`); `request.auth` is `null`. */
const passedWithout = new WeakSet<FastifyRequest>();

/** Notes that a hook let `request` go on without credentials (only then: the common path adds nothing). */
export function markPassedWithout(request: FastifyRequest): void {
	passedWithout.add(request);
}

/**
 * What the hooks before this one left on the request: `request.auth` (the core trusts it only if it
 * made it), `null` when a hook went on without credentials, `undefined` when none ran.
 */
export function upstreamOf(request: FastifyRequest): AuthResult | null | undefined {
	return request.auth ?? (passedWithout.has(request) ? null : undefined);
}
