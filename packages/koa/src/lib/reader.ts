import type { RequestReader } from "@bearerguard/core";
import type { Context } from "koa";

/** How the core reads a Koa request: Node's request (`ctx.req`) directly, Koa's parsed query and body. */
export const koaReader: RequestReader<Context> = Object.freeze({
	headers: (ctx: Context) => ctx.req.headers,
	rawHeaders: (ctx: Context) => ctx.req.rawHeaders,
	method: (ctx: Context) => ctx.method,
	// Koa's view under `app.proxy`: `X-Forwarded-Proto` and `X-Forwarded-Host` only when proxies are trusted.
	url: (ctx: Context) => `${ctx.protocol}://${ctx.host}${ctx.originalUrl}`,
	socket: (ctx: Context) => ctx.req.socket,
	query: (ctx: Context) => ctx.query as unknown,
	body: (ctx: Context) => (ctx.request as { body?: unknown }).body,
});
