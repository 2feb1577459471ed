import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";

/** A Node HTTP server for a Hono app, as `@hono/node-server`'s `serve` makes it (supertest listens on it). */
export function nodeServer(app: {
	fetch: (request: Request, env: never) => Response | Promise<Response>;
}): Server {
	return createAdaptorServer({
		fetch: app.fetch as (request: Request) => Response | Promise<Response>,
	}) as Server;
}
