import type { RequestReader } from "@bearerguard/core";
import type { Request } from "express";

/** How the core reads an Express request. */
export const expressReader: RequestReader<Request> = Object.freeze({
	headers: (req: Request) => req.headers,
	rawHeaders: (req: Request) => req.rawHeaders,
	query: (req: Request) => req.query as unknown,
	body: (req: Request) => req.body as unknown,
});
