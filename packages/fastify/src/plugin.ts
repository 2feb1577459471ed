import {
	createAuthenticator,
	createPermissionsCheck,
	splitAdapterOptions,
	splitOptions,
	type Verifier,
} from "@bearerguard/core";
import type { FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from "fastify";
import fp from "fastify-plugin";
import { createResponder } from "./lib/respond.js";
import { upstreamOf } from "./lib/upstream.js";
import { createHook, type FastifyAuthOptions } from "./require-auth.js";
import { registerResourceMetadata } from "./resource-metadata.js";

/** Options of `register` that Fastify itself reads; they are not the verifier's. */
const REGISTER_OPTIONS = new Set(["prefix", "logLevel", "logSerializers"]);

/** Whether route options hold no verifier option: such a hook reuses the `request.auth` of a hook before it. */
function isGuardOnly(options: FastifyAuthOptions | undefined): boolean {
	const { authOptions } = splitAdapterOptions(options);
	return Object.keys(splitOptions(authOptions).verifier).length === 0;
}

// Async, so a bad option rejects `register` instead of escaping avvio as an uncaught exception.
const plugin: FastifyPluginAsync<FastifyAuthOptions> = async (fastify, options) => {
	if (fastify.hasDecorator("requireAuth") || fastify.hasRequestDecorator("auth")) {
		throw new Error(
			"bearerguard: @bearerguard/fastify is registered twice on this instance (or on a parent): register it once, at the root, and give each route its own options with app.requireAuth({ ... }).",
		);
	}
	const defaults: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (!REGISTER_OPTIONS.has(key)) defaults[key] = value;
	}
	// Everything is checked now, with the environment: a plugin without an issuer fails here, not at a route.
	const settings = splitAdapterOptions(defaults);
	const authenticator = createAuthenticator(settings.authOptions, process.env, { reuseUpstream: false });
	const respond = createResponder(settings, authenticator.challengeSettings);
	fastify.decorateRequest("auth", null);
	// The verifier of the plugin's options, made now: with `prefetch`, its keys start loading at once.
	const verifier = authenticator.verifier as Verifier;
	fastify.decorate("authVerifier", { getter: () => verifier });
	if (options.resource !== undefined) registerResourceMetadata(fastify, options.resource);
	fastify.decorate("requireAuth", function requireAuthFor(routeOptions?: FastifyAuthOptions) {
		return createHook({ ...defaults, ...routeOptions }, isGuardOnly(routeOptions));
	});
	fastify.decorate("requirePermissions", function requirePermissionsFor(...permissions: string[]) {
		const check = createPermissionsCheck(permissions);
		const hook: onRequestHookHandler = function requirePermissions(request: FastifyRequest, reply, done) {
			try {
				check(upstreamOf(request));
			} catch (error) {
				respond(error, request, reply, done);
				return;
			}
			done();
		};
		return hook;
	});
};

/**
 * The Fastify 5 plugin: decorates `request.auth` (`null` until verified), `fastify.requireAuth(options?)`,
 * which returns an `onRequest` hook whose options are merged over the plugin's,
 * `fastify.requirePermissions(...names)`, and `fastify.authVerifier`, the verifier of the plugin's
 * options (`ready()`, `health()`). The plugin's options (with `BEARERGUARD_*` environment
 * variables for those not given) are checked when it is registered: without an issuer and audience it
 * fails there. A hook given only guard options (`app.requireAuth({ permissions: ['write'] })`) reuses
 * the `request.auth` of a hook before it (`app.addHook('onRequest', app.requireAuth())`), else it
 * verifies with the plugin's options.
 * With `resource`, it serves the protected resource metadata (RFC 9728) at its well-known paths.
 *
 * @example
 * ```ts
 * await app.register(bearerGuard, { issuer, audience })
 * app.addHook('onRequest', app.requireAuth())
 * app.post('/v1/products', { onRequest: app.requireAuth({ permissions: ['write'] }) }, create)
 * ```
 */
export const bearerGuard = fp(plugin, { fastify: "5.x", name: "@bearerguard/fastify" });
