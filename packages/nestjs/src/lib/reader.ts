import type { RequestReader } from "@bearerguard/core";
import type { AuthenticatedRequest } from "../options.js";

/**
 * Express's `req` (Node's request itself) or Fastify's `request` (Node's request as `raw`). Both have
 * `method`, `protocol` and `host` (under the platform's trust-proxy setting; `host` with its port, as
 * Express 5 and Fastify 5 give it), `originalUrl` (path and query as received) and `socket`.
 */
interface PlatformRequest extends AuthenticatedRequest {
	readonly method: string;
	readonly protocol: string;
	readonly host: string;
	readonly originalUrl: string;
	readonly socket: unknown;
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
	method: (request: PlatformRequest) => request.method,
	url: (request: PlatformRequest) => `${request.protocol}://${request.host}${request.originalUrl}`,
	query: (request: PlatformRequest) => request.query,
	body: (request: PlatformRequest) => request.body,
	socket: (request: PlatformRequest) => request.socket,
});
