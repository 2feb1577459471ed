import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AuthEnv, requireAuth } from "@bearerguard/hono";
import { createAdaptorServer } from "@hono/node-server";
import { type Handler, Hono } from "hono";
import { PRODUCTS, REQUIRED, ROUTE, type RunningServer } from "./shared.js";
import type { Variant } from "./variants.js";

type HonoVariant = Variant<"hono">;

/** Hono on Node (`@hono/node-server`): the route alone, or behind `requireAuth` as its middleware. */
export async function startHono(variant: HonoVariant): Promise<RunningServer> {
	const app = new Hono<AuthEnv>();
	const list: Handler<AuthEnv> = (c) => c.json(PRODUCTS);
	if (variant === "none") app.get(ROUTE, list);
	// A middleware that only calls next(): the cost of Hono's middleware chain alone.
	else if (variant === "no-op middleware") app.get(ROUTE, (_c, next) => next(), list);
	// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
	else app.get(ROUTE, requireAuth({ permissions: [REQUIRED] }), list);
	const server = createAdaptorServer({ fetch: app.fetch }) as Server;
	server.listen(0, "127.0.0.1");
	await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
