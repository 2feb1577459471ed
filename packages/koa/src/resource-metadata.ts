import { createResourceMetadata, type ResourceMetadata, type ResourceOptions } from "@bearerguard/core";
import type { Context, Middleware, Next } from "koa";

/**
 * Answers the request when it asks for the metadata (`true`), else leaves it alone (`false`). Headers are
 * set after the body, so Koa's own content type does not stay.
 */
export function answerMetadata(metadata: ResourceMetadata, ctx: Context): boolean {
	const answer = metadata.answer(ctx.method, ctx.originalUrl);
	if (answer === undefined) return false;
	ctx.status = answer.status;
	ctx.body = answer.status === 204 ? null : answer.body;
	ctx.set(answer.headers);
	return true;
}

/** `guard`, after answering the metadata's paths: what a `requireAuth({ resource })` is. */
export function metadataFirst(metadata: ResourceMetadata, guard: Middleware): Middleware {
	return function requireAuth(ctx, next) {
		return answerMetadata(metadata, ctx) ? Promise.resolve() : guard(ctx, next);
	};
}

/**
 * Koa middleware that serves protected resource metadata (RFC 9728): GET and HEAD of
 * `/.well-known/oauth-protected-resource{path}` (and the bare well-known path) answer the JSON document,
 * OPTIONS the CORS preflight; every other request passes on. A `requireAuth({ resource })` used with
 * `app.use` does this itself; use this one when the guards are only on routes. A bad document is a
 * `TypeError` now.
 *
 * @example
 * ```ts
 * app.use(resourceMetadata({ metadata: { resource: 'https://api.example.com/mcp', authorization_servers: [issuer] } }))
 * ```
 */
export function resourceMetadata(resource: ResourceOptions): Middleware {
	const metadata = createResourceMetadata(resource);
	return function resourceMetadata(ctx: Context, next: Next) {
		return answerMetadata(metadata, ctx) ? Promise.resolve() : next();
	};
}
