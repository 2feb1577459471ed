import type { RequestReader } from "@bearerguard/core";
import type { AuthenticatedRequest } from "../options.js";

/** Express's `req` (Node's request itself) or Fastify's `request` (Node's request as `raw`). */
interface PlatformRequest extends AuthenticatedRequest {
	readonly rawHeaders?: readonly string[];
	readonly raw?: { readonly rawHeaders?: readonly string[] };
	readonly query?: unknown;
	readonly body?: unknown;
}

/** How the core reads a request on Nest's Express platform and on its Fastify platform alike. */
export const nestReader: RequestReader<PlatformRequest> = Object.freeze({
	headers: (request: PlatformRequest) => request.headers,
	// Express's request is Node's (own `rawHeaders`); Fastify's keeps Node's as `raw`.
	rawHeaders: (request: PlatformRequest) => request.rawHeaders ?? request.raw?.rawHeaders,
	query: (request: PlatformRequest) => request.query,
	body: (request: PlatformRequest) => request.body,
});
