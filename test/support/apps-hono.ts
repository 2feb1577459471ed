import type { Server } from "node:http";
import https from "node:https";
import { type AuthOptions, BearerError } from "@bearerguard/core";
import { type AuthEnv, requireAuth, requirePermissions } from "@bearerguard/hono";
import { createAdaptorServer } from "@hono/node-server";
import { type ErrorHandler, type Handler, Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import {
	answerOf,
	closer,
	create,
	listen,
	optionsOf,
	type RouteSpec,
	type ServeOptions,
	type TestApp,
	upstreamOptionsOf,
} from "./apps.js";

/**
 * A Hono app on Node (`@hono/node-server`), built from the route list like the Express apps. Errors
 * that reach `app.onError` are recorded (the `BearerError` of an `HTTPException`, the error itself
 * otherwise), then answered by Hono's own default handler: an `HTTPException`'s response, else a plain
 * 500.
 */
export async function startHono(
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	serve?: ServeOptions,
): Promise<TestApp> {
	const app = new Hono<AuthEnv>();
	const errors: unknown[] = [];
	// Hono's default handler, before onError replaces it (a private field in Hono's types).
	const honoDefault = (app as unknown as { errorHandler: ErrorHandler<AuthEnv> }).errorHandler;
	app.onError((error, c) => {
		errors.push(error instanceof HTTPException && error.cause instanceof BearerError ? error.cause : error);
		return honoDefault(error, c);
	});
	for (const route of routes) {
		const handlers: MiddlewareHandler<AuthEnv>[] = [];
		const forged = route.forgedAuth;
		if (forged) {
			handlers.push((c, next) => {
				c.set("auth", forged as never);
				return next();
			});
		}
		const upstream = upstreamOptionsOf(route, defaults);
		if (upstream) handlers.push(create(route, () => requireAuth(upstream)));
		if (!route.noGuard) handlers.push(create(route, () => requireAuth(optionsOf(route, defaults))));
		if (route.requirePermissions) handlers.push(requirePermissions(...route.requirePermissions));
		const handler: Handler<AuthEnv> = (c) =>
			c.body(JSON.stringify(answerOf(route, c.get("auth"))), 200, {
				"content-type": "application/json; charset=utf-8",
			});
		// Hono types `on` per number of handlers; this list's length varies by route.
		const on = app.on as (method: string, path: string, ...chain: MiddlewareHandler<AuthEnv>[]) => unknown;
		on(route.method, route.path, ...handlers, handler as MiddlewareHandler<AuthEnv>);
	}
	const server = (
		serve?.https === undefined
			? createAdaptorServer({ fetch: app.fetch })
			: createAdaptorServer({
					fetch: app.fetch,
					createServer: https.createServer,
					serverOptions: serve.https,
				})
	) as Server | https.Server;
	return { name: "hono", url: await listen(server), errors, close: closer(server) };
}
