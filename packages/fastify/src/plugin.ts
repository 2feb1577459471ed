import { splitAdapterOptions } from "@bearerguard/core";
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import { type FastifyAuthOptions, requireAuth } from "./require-auth.js";
import { registerResourceMetadata } from "./resource-metadata.js";

/** Options of `register` that Fastify itself reads; they are not the verifier's. */
const REGISTER_OPTIONS = new Set(["prefix", "logLevel", "logSerializers"]);

// Async, so a bad option rejects `register` instead of escaping avvio as an uncaught exception.
const plugin: FastifyPluginAsync<FastifyAuthOptions> = async (fastify, options) => {
	const defaults: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (!REGISTER_OPTIONS.has(key)) defaults[key] = value;
	}
	splitAdapterOptions(defaults); // `onError` and `errorHandling` are checked at registration.
	fastify.decorateRequest("auth", null);
	if (options.resource !== undefined) registerResourceMetadata(fastify, options.resource);
	fastify.decorate("requireAuth", function requireAuthFor(routeOptions?: FastifyAuthOptions) {
		return requireAuth({ ...defaults, ...routeOptions });
	});
};

/**
 * The Fastify 5 plugin: decorates `request.auth` (`null` until verified) and
 * `fastify.requireAuth(options?)`, which returns an `onRequest` hook whose options are merged over
 * the plugin's. With `resource`, it serves the protected resource metadata (RFC 9728) at its
 * well-known paths. Options not given come from `BEARERGUARD_*` environment variables; each
 * `requireAuth()` call checks its merged options (a `TypeError` says what to fix).
 *
 * @example
 * ```ts
 * await app.register(bearerGuard, { issuer, audience })
 * app.post('/v1/products', { onRequest: app.requireAuth({ permissions: ['write'] }) }, create)
 * ```
 */
export const bearerGuard = fp(plugin, { fastify: "5.x", name: "@bearerguard/fastify" });
