import type { RequestReader } from "@bearerguard/core";
import type { FastifyRequest } from "fastify";

/** How the core reads a Fastify request: its headers, Node's raw header lines, the parsed query and body. */
export const fastifyReader: RequestReader<FastifyRequest> = Object.freeze({
	headers: (request: FastifyRequest) => request.headers,
	rawHeaders: (request: FastifyRequest) => request.raw.rawHeaders,
	method: (request: FastifyRequest) => request.method,
	// Fastify's view under its `trustProxy` setting; `host` keeps the port. The URL as the client sent it.
	url: (request: FastifyRequest) => `${request.protocol}://${request.host}${request.originalUrl}`,
	socket: (request: FastifyRequest) => request.raw.socket,
	query: (request: FastifyRequest) => request.query,
	body: (request: FastifyRequest) => request.body,
});
