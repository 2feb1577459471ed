import type { RequestReader } from "@bearerguard/core";
import type { Request } from "express";

/**
 * The host as Express 5's `req.host` gives it, on Express 4 too (whose `req.host` drops the port): the
 * first `X-Forwarded-Host` when the app trusts the connecting proxy (`trust proxy`), else `Host`.
 */
function hostOf(req: Request): string {
	const trust = req.app.get("trust proxy fn") as ((address: string, hop: number) => boolean) | undefined;
	const forwarded = req.get("x-forwarded-host");
	if (forwarded && trust?.(req.socket.remoteAddress ?? "", 0)) {
		const comma = forwarded.indexOf(",");
		return comma === -1 ? forwarded : forwarded.slice(0, comma).trimEnd();
	}
	return req.get("host") ?? "";
}

/**
 * How the core reads an Express request. The URL (for DPoP's `htu`) is Express's own view under its
 * `trust proxy` setting: `req.protocol` and the host that Express 5's `req.host` gives (with the port), then the
 * path and query as received.
 */
export const expressReader: RequestReader<Request> = Object.freeze({
	headers: (req: Request) => req.headers,
	rawHeaders: (req: Request) => req.rawHeaders,
	method: (req: Request) => req.method,
	url: (req: Request) => `${req.protocol}://${hostOf(req)}${req.originalUrl}`,
	socket: (req: Request) => req.socket,
	query: (req: Request) => req.query as unknown,
	body: (req: Request) => req.body as unknown,
});
