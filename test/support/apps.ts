import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { AuthOptions, AuthResult } from "@bearerguard/core";
import * as bgExpress from "@bearerguard/express";
import bearerGuard, { requireAuth as fastifyRequireAuth } from "@bearerguard/fastify";
import * as bgKoa from "@bearerguard/koa";
import express from "express";
import express4 from "express4";
import Fastify, { type FastifyInstance, type onRequestHookHandler } from "fastify";
import Koa, { type Middleware } from "koa";
import { startHono } from "./apps-hono.js";
import { startNest } from "./apps-nest.js";
import { withEnv } from "./env.js";

/** The apps every HTTP case runs against. */
export const ADAPTERS = [
	"express5",
	"express4",
	"koa",
	"fastify",
	"nest-express",
	"nest-fastify",
	"hono",
] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** One protected route, described once and built the same way in every framework. */
export interface RouteSpec {
	readonly method: "GET" | "POST" | "DELETE";
	readonly path: string;
	/** Options of `requireAuth`, merged over the app's defaults (Fastify: over the plugin's). */
	readonly auth?: AuthOptions;
	/** The options are complete: no app defaults (Fastify: the named `requireAuth`, without the plugin's). */
	readonly standalone?: boolean;
	/** `BEARERGUARD_*` variables set while the route's `requireAuth` is created (and only then). */
	readonly env?: Readonly<Record<string, string>>;
	/** `requirePermissions(...)` after `requireAuth` (Fastify: `app.requirePermissions(...)`). */
	readonly requirePermissions?: readonly string[];
	/**
	 * A `requireAuth` that runs before the route's own (Express, Koa: middleware before it; Fastify: an
	 * earlier `onRequest` hook, `app.requireAuth(upstream)`), merged over the app's defaults unless `standalone`.
	 */
	readonly upstream?: AuthOptions;
	/** The route has no `requireAuth` of its own: only its `upstream` and `requirePermissions`, if any. */
	readonly noGuard?: boolean;
	/**
	 * The app's own middleware sets `auth` (`req.auth`, `ctx.state.auth`, `request.auth`) to this
	 * look-alike before any guard runs, as another library might.
	 */
	readonly forgedAuth?: Readonly<Record<string, unknown>>;
	/**
	 * The route answers {@link describeBinding} (how the token was presented and what it is bound to)
	 * instead of {@link describeAuth}.
	 */
	readonly binding?: boolean;
}

/**
 * How the apps are served: plain HTTP on loopback unless `https` is given, then HTTPS with these TLS
 * options (key, cert, `requestCert`, `ca`, `rejectUnauthorized`: the client certificate of RFC 8705).
 */
/** How an app is served: its settings (`https`, `trustProxy`). */
export type ServeOptions = AppSettings;

/** A running app: its adapter, base URL and how to stop it. */
export interface TestApp {
	readonly name: AdapterName;
	readonly url: string;
	/** Every error that reached the framework's own error handling, in order. */
	readonly errors: unknown[];
	close(): Promise<void>;
}

/**
 * What every route answers on success: a summary of the verified token, or `null` without one. A token
 * sent with DPoP adds its `scheme`, `source` and `confirmation` (absent otherwise, so other answers keep
 * their bytes).
 */
export function describeAuth(auth: AuthResult | null | undefined) {
	if (auth === undefined || auth === null) return { auth: null };
	return {
		auth: {
			subject: auth.subject ?? null,
			issuer: auth.issuer,
			organization: auth.organization ?? null,
			permissions: [...auth.permissions].sort(),
			hasExpiry: auth.expiresAt !== undefined,
			...(auth.scheme === "DPoP"
				? { scheme: auth.scheme, source: auth.source, confirmation: auth.confirmation ?? null }
				: {}),
		},
	};
}

/** Settings of the apps themselves (not of bearerguard), each off unless given. */
export interface AppSettings {
	/**
	 * Trust the proxy in front (on loopback): Express `app.set('trust proxy', 'loopback')`, Koa
	 * `app.proxy = true`, Fastify `trustProxy: true`, Nest on either platform likewise. Hono has none.
	 */
	readonly trustProxy?: boolean;
	/** Serve over HTTPS with these TLS options (node:https), e.g. to request client certificates. */
	readonly https?: https.ServerOptions;
}

/**
 * What a route with `binding` answers on success: how the token was presented (`scheme`), where it was
 * checked (`source`) and the key it is bound to (`confirmation`, `null` for none).
 */
export function describeBinding(auth: AuthResult | null | undefined) {
	if (auth === undefined || auth === null) return { auth: null };
	return {
		auth: {
			subject: auth.subject ?? null,
			scheme: auth.scheme,
			source: auth.source,
			confirmation: auth.confirmation ?? null,
		},
	};
}

/** What `route` answers on success for `auth`. */
export function answerOf(route: RouteSpec, auth: AuthResult | null | undefined) {
	return route.binding ? describeBinding(auth) : describeAuth(auth);
}

export function optionsOf(route: RouteSpec, defaults: AuthOptions): AuthOptions {
	return route.standalone ? (route.auth ?? {}) : { ...defaults, ...route.auth };
}

/** The options of a route's upstream guard, merged over the app's defaults unless `standalone`. */
export function upstreamOptionsOf(route: RouteSpec, defaults: AuthOptions): AuthOptions | undefined {
	if (route.upstream === undefined) return undefined;
	return route.standalone ? route.upstream : { ...defaults, ...route.upstream };
}

export function create<T>(route: RouteSpec, build: () => T): T {
	return route.env === undefined ? build() : withEnv(route.env, build);
}

export async function listen(server: http.Server | https.Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const protocol = server instanceof https.Server ? "https" : "http";
	return `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An HTTP server for `handler`, or an HTTPS one when `serve.https` is given. */
export function createServerFor(handler: http.RequestListener, serve: ServeOptions | undefined) {
	return serve?.https === undefined ? http.createServer(handler) : https.createServer(serve.https, handler);
}

export function closer(server: http.Server | https.Server): () => Promise<void> {
	return () =>
		new Promise((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
}

/** The part of an Express 5 or 4 app the routes need. */
type ExpressRouter = Record<
	"get" | "post" | "delete",
	(path: string, ...handlers: express.RequestHandler[]) => unknown
>;

/** Express 5 or 4: the same calls, the same handlers. */
async function startExpress(
	name: "express5" | "express4",
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp> {
	// This workspace types "express" as v5; an Express 4 user's @types/express@4 types the middleware as v4.
	const app = name === "express5" ? express() : (express4() as unknown as express.Express);
	if (settings.trustProxy) app.set("trust proxy", "loopback");
	const router: ExpressRouter = app;
	const errors: unknown[] = [];
	for (const route of routes) {
		const handlers: express.RequestHandler[] = [];
		const forged = route.forgedAuth;
		if (forged) {
			handlers.push((req, _res, next) => {
				(req as { auth?: unknown }).auth = forged;
				next();
			});
		}
		const upstream = upstreamOptionsOf(route, defaults);
		if (upstream) handlers.push(create(route, () => bgExpress.requireAuth(upstream)));
		if (!route.noGuard) handlers.push(create(route, () => bgExpress.requireAuth(optionsOf(route, defaults))));
		if (route.requirePermissions) handlers.push(bgExpress.requirePermissions(...route.requirePermissions));
		handlers.push((req, res) => {
			res.json(answerOf(route, req.auth));
		});
		router[route.method.toLowerCase() as "get" | "post" | "delete"](route.path, ...handlers);
	}
	// Errors handed to Express are recorded, then answered by Express's own final handler, as in
	// production (a generic page, never the error's message or stack).
	app.set("env", "production");
	app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
		errors.push(error);
		next(error);
	});
	const server = createServerFor(app, settings);
	return { name, url: await listen(server), errors, close: closer(server) };
}

/** Runs middleware in order, as koa-compose does (Koa has no router of its own). */
function chain(middleware: readonly Middleware[]): Middleware {
	return (ctx, next) => {
		const dispatch = async (i: number): Promise<void> => {
			const fn = middleware[i];
			if (fn === undefined) return next();
			await fn(ctx, () => dispatch(i + 1));
		};
		return dispatch(0);
	};
}

async function startKoa(
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp> {
	const app = new Koa();
	if (settings.trustProxy) app.proxy = true;
	const errors: unknown[] = [];
	// A listener takes the place of Koa's own logging; Koa still answers (ctx.onerror).
	app.on("error", (error: unknown) => errors.push(error));
	const table = new Map<string, Middleware>();
	for (const route of routes) {
		const middleware: Middleware[] = [];
		const forged = route.forgedAuth;
		if (forged) {
			middleware.push((ctx, next) => {
				(ctx.state as { auth?: unknown }).auth = forged;
				return next();
			});
		}
		const upstream = upstreamOptionsOf(route, defaults);
		if (upstream) middleware.push(create(route, () => bgKoa.requireAuth(upstream)));
		if (!route.noGuard) middleware.push(create(route, () => bgKoa.requireAuth(optionsOf(route, defaults))));
		if (route.requirePermissions) middleware.push(bgKoa.requirePermissions(...route.requirePermissions));
		middleware.push((ctx) => {
			ctx.body = answerOf(route, ctx.state.auth);
		});
		table.set(`${route.method} ${route.path}`, chain(middleware));
	}
	app.use((ctx, next) => table.get(`${ctx.method} ${ctx.path}`)?.(ctx, next) ?? next());
	const server = createServerFor(app.callback(), settings);
	return { name: "koa", url: await listen(server), errors, close: closer(server) };
}

async function startFastify(
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp> {
	const serve = settings;
	// An HTTPS Fastify is typed over https.Server; the routes need nothing of the server's type.
	const app =
		serve.https === undefined
			? Fastify(settings.trustProxy ? { trustProxy: true } : {})
			: (Fastify({
					https: serve.https,
					...(settings.trustProxy && { trustProxy: true }),
				}) as unknown as FastifyInstance);
	const errors: unknown[] = [];
	app.addHook("onError", (_request, _reply, error, done) => {
		errors.push(error);
		done();
	});
	// The plugin needs a configuration when it is registered; apps of standalone routes only go without it.
	const plugin = Object.keys(defaults).length > 0;
	if (plugin) await app.register(bearerGuard, defaults);
	for (const route of routes) {
		const hook = (options: AuthOptions | undefined) =>
			create(route, () =>
				route.standalone || !plugin ? fastifyRequireAuth(options) : app.requireAuth(options),
			);
		const onRequest: onRequestHookHandler[] = [];
		const forged = route.forgedAuth;
		if (forged) {
			onRequest.push((request, _reply, done) => {
				(request as { auth: unknown }).auth = forged;
				done();
			});
		}
		if (route.upstream) onRequest.push(hook(route.upstream));
		if (!route.noGuard) onRequest.push(hook(route.auth));
		if (route.requirePermissions) onRequest.push(app.requirePermissions(...route.requirePermissions));
		app.route({
			method: route.method,
			url: route.path,
			onRequest,
			handler: async (request) => answerOf(route, request.auth),
		});
	}
	const url = await app.listen({ port: 0, host: "127.0.0.1" });
	return { name: "fastify", url, errors, close: () => app.close() };
}

/**
 * Starts one adapter's app from a route list (see {@link startApps}).
 *
 * @example
 * ```ts
 * const app = await startApp('koa', { issuer, audience }, [{ method: 'GET', path: '/v1/products' }])
 * ```
 */
export function startApp(
	name: AdapterName,
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp> {
	if (name === "koa") return startKoa(defaults, routes, settings);
	if (name === "fastify") return startFastify(defaults, routes, settings);
	if (name === "nest-express" || name === "nest-fastify") return startNest(name, defaults, routes, settings);
	if (name === "hono") return startHono(defaults, routes, settings);
	return startExpress(name, defaults, routes, settings);
}

/**
 * Starts an Express 5, an Express 4, a Koa, a Fastify, a Nest (Express and Fastify platforms) and a Hono
 * app from one route list. Every route answers
 * `describeAuth(auth)` (`describeBinding(auth)` with `binding`) as JSON once its guards pass; on HTTPS
 * with `serve.https`.
 *
 * @example
 * ```ts
 * const apps = await startApps({ issuer, audience }, [{ method: 'GET', path: '/v1/products' }])
 * ```
 */
export async function startApps(
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp[]> {
	return Promise.all(ADAPTERS.map((name) => startApp(name, defaults, routes, settings)));
}
