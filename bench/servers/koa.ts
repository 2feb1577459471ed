import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { requireAuth } from "@bearerguard/koa";
import jwksRsa from "jwks-rsa";
import Koa, { type Middleware } from "koa";
import koaJwt from "koa-jwt";
import { hasScope, PRODUCTS, REQUIRED, ROUTE, type RunningServer, type ServerConfig } from "./shared.js";
import type { ServerVariant } from "./variants.js";

type KoaVariant = ServerVariant<"koa">;

/** `GET path` runs `stack` in order (each one's `next` is the following one); anything else is a 404. */
function get(path: string, ...stack: Middleware[]): Middleware {
	const run = (ctx: Koa.Context, index: number): Promise<void> => {
		const middleware = stack[index];
		return middleware ? Promise.resolve(middleware(ctx, () => run(ctx, index + 1))) : Promise.resolve();
	};
	return (ctx, next) => (ctx.method === "GET" && ctx.path === path ? run(ctx as Koa.Context, 0) : next());
}

function guards(variant: KoaVariant, config: ServerConfig): Middleware[] {
	switch (variant) {
		case "none":
			return [];
		case "bearerguard":
			// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
			return [requireAuth({ permissions: [REQUIRED] })];
		case "koa-jwt":
			return [
				koaJwt({
					secret: jwksRsa.koaJwtSecret({ jwksUri: config.jwksUri, cache: true }),
					algorithms: ["RS256"],
					audience: config.audience,
					issuer: config.issuer,
				}),
				async (ctx, next) => {
					if (hasScope(ctx.state.user, REQUIRED)) await next();
					else ctx.throw(403, "insufficient_scope");
				},
			];
	}
}

export async function startKoa(variant: KoaVariant, config: ServerConfig): Promise<RunningServer> {
	const app = new Koa();
	app.use(
		get(ROUTE, ...guards(variant, config), (ctx) => {
			ctx.body = PRODUCTS;
		}),
	);
	const server = createServer(app.callback()).listen(0, "127.0.0.1");
	await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
