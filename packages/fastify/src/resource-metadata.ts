import { createResourceMetadata, type ResourceOptions } from "@bearerguard/core";
import type { FastifyInstance } from "fastify";

/**
 * Registers GET, HEAD and OPTIONS routes on every path of the protected resource metadata (RFC 9728):
 * the JSON document, and the CORS preflight. The plugin calls it when its options have `resource`; call
 * it yourself for an app that uses `requireAuth` without the plugin. A bad document is a `TypeError` now.
 *
 * @example
 * ```ts
 * registerResourceMetadata(app, { metadata: { resource: 'https://api.example.com/mcp', authorization_servers: [issuer] } })
 * ```
 */
export function registerResourceMetadata(fastify: FastifyInstance, resource: ResourceOptions): void {
	const metadata = createResourceMetadata(resource);
	for (const path of metadata.paths) {
		fastify.route({
			method: ["GET", "HEAD", "OPTIONS"],
			url: path,
			exposeHeadRoute: false,
			handler: function resourceMetadata(request, reply) {
				const answer = metadata.answer(request.method, path);
				if (answer === undefined) return reply.callNotFound();
				reply.code(answer.status).headers(answer.headers);
				return reply.send(answer.body === "" ? undefined : Buffer.from(answer.body));
			},
		});
	}
}
