/**
 * The "bearerguard (before)" variant: the same route and the same `requireAuth({ permissions: ['read'] })`
 * as "bearerguard", with the adapters of another build of bearerguard (`BENCH_BASELINE_DIR`, a checkout
 * of an earlier commit, installed and built by run.ts), so a change is measured against the code before
 * it, side by side, in one run.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import Fastify, { type onRequestHookHandler } from "fastify";
import Koa, { type Middleware } from "koa";
import { PRODUCTS, REQUIRED, ROUTE, type RunningServer } from "./shared.js";

type RequireAuth = (options: { permissions: string[] }) => unknown;

async function adapter(name: "express" | "koa" | "fastify"): Promise<Record<string, unknown>> {
	const dir = process.env.BENCH_BASELINE_DIR;
	if (!dir) throw new Error("bench: the 'bearerguard (before)' variant needs BENCH_BASELINE_DIR");
	return (await import(pathToFileURL(join(dir, "packages", name, "dist", "index.js")).href)) as Record<
		string,
		unknown
	>;
}

function listening(server: ReturnType<typeof createServer>): Promise<number> {
	return new Promise((resolve, reject) => {
		server
			.once("error", reject)
			.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
	});
}

/** Starts the framework's server with the baseline build's `requireAuth` (issuer and audience from BEARERGUARD_*). */
export async function startBefore(framework: string): Promise<RunningServer> {
	if (framework === "express") {
		const requireAuth = (await adapter("express")).requireAuth as RequireAuth;
		const app = express();
		app.get(ROUTE, requireAuth({ permissions: [REQUIRED] }) as express.RequestHandler, (_req, res) => {
			res.json(PRODUCTS);
		});
		const server = createServer(app);
		const port = await listening(server);
		return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
	}
	if (framework === "koa") {
		const requireAuth = (await adapter("koa")).requireAuth as RequireAuth;
		const guard = requireAuth({ permissions: [REQUIRED] }) as Middleware;
		const app = new Koa();
		app.use((ctx, next) =>
			ctx.method === "GET" && ctx.path === ROUTE
				? Promise.resolve(
						guard(ctx, async () => {
							ctx.body = PRODUCTS;
						}),
					)
				: next(),
		);
		const server = createServer(app.callback());
		const port = await listening(server);
		return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
	}
	if (framework === "fastify") {
		const requireAuth = (await adapter("fastify")).requireAuth as RequireAuth;
		const app = Fastify();
		const onRequest = requireAuth({ permissions: [REQUIRED] }) as onRequestHookHandler;
		app.get(ROUTE, { onRequest }, async () => PRODUCTS);
		await app.listen({ port: 0, host: "127.0.0.1" });
		const address = app.server.address();
		return { port: typeof address === "object" && address ? address.port : 0, close: () => app.close() };
	}
	throw new Error(`bench: no 'bearerguard (before)' server for ${framework}`);
}
