import { createResourceMetadata, type ResourceMetadata, type ResourceOptions } from "@bearerguard/core";
import type { RequestHandler } from "express";

/** The middleware that answers the metadata's well-known paths and passes every other request on. */
export function serveMetadata(metadata: ResourceMetadata): RequestHandler {
	return function resourceMetadata(req, res, next) {
		const answer = metadata.answer(req.method, req.originalUrl);
		if (answer === undefined) next();
		else res.writeHead(answer.status, answer.headers).end(answer.body);
	};
}

/** `guard`, after answering the metadata's paths: what a `requireAuth({ resource })` is. */
export function metadataFirst(metadata: ResourceMetadata, guard: RequestHandler): RequestHandler {
	return function requireAuth(req, res, next) {
		const answer = metadata.answer(req.method, req.originalUrl);
		if (answer === undefined) return guard(req, res, next);
		res.writeHead(answer.status, answer.headers).end(answer.body);
	};
}

/**
 * Express middleware that serves protected resource metadata (RFC 9728): GET and HEAD of
 * `/.well-known/oauth-protected-resource{path}` (and the bare well-known path) answer the JSON document,
 * OPTIONS the CORS preflight; every other request passes on. A `requireAuth({ resource })` mounted with
 * `app.use` does this itself; mount this one when the guards are only on routes. A bad document is a
 * `TypeError` now.
 *
 * @example
 * ```ts
 * const resource = { metadata: { resource: 'https://api.example.com/mcp', authorization_servers: [issuer] } }
 * app.use(resourceMetadata(resource))
 * app.post('/mcp', requireAuth({ issuer, audience, resource }), handle)
 * ```
 */
export function resourceMetadata(resource: ResourceOptions): RequestHandler {
	return serveMetadata(createResourceMetadata(resource));
}
