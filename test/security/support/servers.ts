import type { AuthOptions } from "@bearerguard/core";
import { ADAPTERS, type AdapterName, startApps } from "../../support/apps.js";

/**
 * The shared adapter apps (test/support/apps.ts: Express 5, Express 4, Koa, Fastify on loopback),
 * with every route `GET` and standalone, plus each app's port for the raw-socket requests.
 */

export { ADAPTERS, type AdapterName };

/** A `GET` route guarded by `requireAuth(options)`, nothing else merged in. */
export interface GuardedRoute {
	readonly path: string;
	readonly options: AuthOptions;
}

/** A listening adapter app. */
export interface AdapterServer {
	readonly name: AdapterName;
	readonly url: string;
	readonly port: number;
	close(): Promise<void>;
}

/** What a route answers once the guard let the request through (test/support/apps.ts `describeAuth`). */
export interface RouteBody {
	readonly auth: { readonly subject: string | null; readonly permissions: readonly string[] } | null;
}

/** Starts the four adapter apps with these routes. */
export async function startServers(routes: readonly GuardedRoute[]): Promise<AdapterServer[]> {
	const apps = await startApps(
		{},
		routes.map((route) => ({ method: "GET", path: route.path, auth: route.options, standalone: true })),
	);
	return apps.map((app) => ({
		name: app.name,
		url: app.url,
		port: Number(new URL(app.url).port),
		close: app.close,
	}));
}
