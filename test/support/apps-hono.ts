import type { Server } from "node:http";
import type { AuthOptions } from "@bearerguard/core";
import { type AuthEnv, requireAuth, requirePermissions } from "@bearerguard/hono";
import { createAdaptorServer } from "@hono/node-server";
import { type Handler, Hono } from "hono";
import { closer, create, describeAuth, listen, optionsOf, type RouteSpec, type TestApp } from "./apps.js";

/** A Hono app on Node (`@hono/node-server`), built from the route list like the Express apps. */
export async function startHono(defaults: AuthOptions, routes: readonly RouteSpec[]): Promise<TestApp> {
	const app = new Hono<AuthEnv>();
	const errors: unknown[] = [];
	app.onError((error, c) => {
		errors.push(error);
		return c.json({ error: "server_error", message: "Internal server error" }, 500);
	});
	for (const route of routes) {
		const guard = create(route, () => requireAuth(optionsOf(route, defaults)));
		const handler: Handler<AuthEnv> = (c) =>
			c.body(JSON.stringify(describeAuth(c.get("auth"))), 200, {
				"content-type": "application/json; charset=utf-8",
			});
		if (route.requirePermissions) {
			app.on(route.method, route.path, guard, requirePermissions(...route.requirePermissions), handler);
		} else {
			app.on(route.method, route.path, guard, handler);
		}
	}
	const server = createAdaptorServer({ fetch: app.fetch }) as Server;
	return { name: "hono", url: await listen(server), errors, close: closer(server) };
}
