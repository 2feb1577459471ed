import type { RequestReader } from "@bearerguard/core";
import type { FastifyRequest } from "fastify";

/** How the core reads a Fastify request: its headers, Node's raw header lines, the parsed query and body. */
export const fastifyReader: RequestReader<FastifyRequest> = Object.freeze({
	headers: (request: FastifyRequest) => request.headers,
	rawHeaders: (request: FastifyRequest) => request.raw.rawHeaders,
	query: (request: FastifyRequest) => request.query,
	body: (request: FastifyRequest) => request.body,
});
