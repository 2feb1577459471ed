import { createResourceMetadata, type ResourceMetadata, type ResourceOptions } from "@bearerguard/core";
import type { Context, MiddlewareHandler } from "hono";

/** The answer to a request for the metadata, or `undefined` for any other request. */
function answerFor(metadata: ResourceMetadata, c: Context): Response | undefined {
	const answer = metadata.answer(c.req.method, c.req.path);
	if (answer === undefined) return undefined;
	if (answer.body === "") return c.body(null, answer.status, answer.headers);
	return c.body(answer.body, 200, answer.headers);
}

/** `guard`, after answering the metadata's paths: what a `requireAuth({ resource })` is. */
export function metadataFirst(metadata: ResourceMetadata, guard: MiddlewareHandler): MiddlewareHandler {
	return function requireAuth(c, next) {
		const answer = answerFor(metadata, c);
		return answer === undefined ? guard(c, next) : Promise.resolve(answer);
	};
}

/**
 * Hono middleware that serves protected resource metadata (RFC 9728): GET and HEAD of
 * `/.well-known/oauth-protected-resource{path}` (and the bare well-known path) answer the JSON document,
 * OPTIONS the CORS preflight; every other request passes on. A `requireAuth({ resource })` used with
 * `app.use('*', ...)` does this itself; use this one when the guards are only on some paths. A bad
 * document is a `TypeError` now.
 *
 * @example
 * ```ts
 * app.use(resourceMetadata({ metadata: { resource: 'https://api.example.com/mcp', authorization_servers: [issuer] } }))
 * app.post('/mcp', requireAuth({ issuer, audience }), handle)
 * ```
 */
export function resourceMetadata(resource: ResourceOptions): MiddlewareHandler {
	const metadata = createResourceMetadata(resource);
	return function resourceMetadata(c, next) {
		const answer = answerFor(metadata, c);
		return answer === undefined ? next() : Promise.resolve(answer);
	};
}
