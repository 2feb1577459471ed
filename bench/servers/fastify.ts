import bearerGuard from "@bearerguard/fastify";
import fastifyJwt from "@fastify/jwt";
import Fastify, { type FastifyInstance, type onRequestHookHandler } from "fastify";
import { hasScope, PRODUCTS, REQUIRED, ROUTE, type RunningServer, type ServerConfig } from "./shared.js";
import type { ServerVariant } from "./variants.js";

type FastifyVariant = ServerVariant<"fastify">;

/** The `onRequest` hook of the route, per variant, after registering what it needs. */
async function guard(
	app: FastifyInstance,
	variant: FastifyVariant,
	config: ServerConfig,
): Promise<onRequestHookHandler | undefined> {
	switch (variant) {
		case "none":
			return undefined;
		case "bearerguard":
			// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
			await app.register(bearerGuard);
			return app.requireAuth({ permissions: [REQUIRED] });
		case "@fastify/jwt (cache on)":
		case "@fastify/jwt (cache off)":
			await app.register(fastifyJwt, {
				secret: { public: config.publicKeyPem },
				verify: {
					cache: variant === "@fastify/jwt (cache on)",
					algorithms: ["RS256"],
					allowedIss: config.issuer,
					allowedAud: config.audience,
				},
			});
			return async function verifyJwt(request, reply) {
				const claims = await request.jwtVerify();
				if (!hasScope(claims, REQUIRED)) return reply.code(403).send({ error: "insufficient_scope" });
			};
	}
}

export async function startFastify(variant: FastifyVariant, config: ServerConfig): Promise<RunningServer> {
	const app = Fastify();
	const onRequest = await guard(app, variant, config);
	app.get(ROUTE, onRequest ? { onRequest } : {}, async () => PRODUCTS);
	await app.listen({ port: 0, host: "127.0.0.1" });
	const address = app.server.address();
	return {
		port: typeof address === "object" && address ? address.port : 0,
		close: () => app.close(),
	};
}
