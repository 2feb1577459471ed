/**
 * The servers of the DPoP benchmark (bench/dpop-http.ts): GET /v1/products behind
 * `requireAuth({ permissions: ['read'], dpop: { mode: 'allowed', replay } })`, which takes both a Bearer
 * token and a DPoP-bound token with its proof, the replay store in memory or on Redis
 * (`createReplayStore(client)` of @bearerguard/redis); and, on Express, express-oauth2-jwt-bearer with
 * DPoP enabled (not required), as its README configures it. Issuer and audience come from
 * BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE; Redis from BENCH_REDIS_URL and BENCH_DPOP_REDIS_PREFIX.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AuthOptions, createMemoryReplayStore, type ReplayStore } from "@bearerguard/core";
import { requireAuth as expressAuth } from "@bearerguard/express";
import { requireAuth as fastifyAuth } from "@bearerguard/fastify";
import { requireAuth as honoAuth } from "@bearerguard/hono";
import { requireAuth as koaAuth } from "@bearerguard/koa";
import { createReplayStore } from "@bearerguard/redis";
import { createAdaptorServer } from "@hono/node-server";
import express, { type ErrorRequestHandler } from "express";
import { auth, requiredScopes } from "express-oauth2-jwt-bearer";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { createClient } from "redis";
import { PRODUCTS, REQUIRED, ROUTE, type RunningServer } from "./shared.js";

export const DPOP_FRAMEWORKS = ["express", "koa", "fastify", "hono"] as const;
export type DpopFramework = (typeof DPOP_FRAMEWORKS)[number];

/** The servers; the peer is on Express only. */
export const DPOP_SERVERS = [
	"bearerguard, in-memory replay store",
	"bearerguard, Redis replay store",
	"express-oauth2-jwt-bearer",
] as const;
export type DpopServer = (typeof DPOP_SERVERS)[number];

/** The DPoP proof window of every server, in seconds (ours: `proofMaxAge`; the peer: `iatOffset`). */
export const PROOF_MAX_AGE = 300;

export function isDpopServer(value: string): value is DpopServer {
	return (DPOP_SERVERS as readonly string[]).includes(value);
}

/** The replay store of a server of ours. */
async function replayStore(server: DpopServer): Promise<ReplayStore> {
	if (server === "bearerguard, in-memory replay store") {
		// Sized for every proof of a run: at 10,000 req/s the default (100,000) is full of live proofs in 10 s.
		return createMemoryReplayStore({ max: 10_000_000 });
	}
	const client = createClient({ url: process.env.BENCH_REDIS_URL });
	client.on("error", (error: Error) => process.stderr.write(`bench dpop server: ${error.message}\n`));
	await client.connect();
	return createReplayStore(client, { prefix: process.env.BENCH_DPOP_REDIS_PREFIX });
}

function listening(server: ReturnType<typeof createServer>): Promise<RunningServer> {
	return new Promise((resolve, reject) => {
		server.once("error", reject).listen(0, "127.0.0.1", () =>
			resolve({
				port: (server.address() as AddressInfo).port,
				close: () => new Promise<void>((done) => server.close(() => done())),
			}),
		);
	});
}

/** Starts one server on a free loopback port. */
export async function startDpopServer(framework: DpopFramework, server: DpopServer): Promise<RunningServer> {
	if (server === "express-oauth2-jwt-bearer") {
		if (framework !== "express") throw new Error("bench: express-oauth2-jwt-bearer runs on Express only");
		const app = express();
		app.get(
			ROUTE,
			auth({
				issuerBaseURL: process.env.BEARERGUARD_ISSUER,
				audience: process.env.BEARERGUARD_AUDIENCE,
				dpop: { enabled: true, required: false, iatOffset: PROOF_MAX_AGE },
			}),
			requiredScopes(REQUIRED),
			(_req, res) => {
				res.json(PRODUCTS);
			},
		);
		const answerError: ErrorRequestHandler = (
			error: { status?: number; code?: string },
			_req,
			res,
			_next,
		) => {
			res.status(error.status ?? 500).json({ error: error.code ?? "error" });
		};
		app.use(answerError);
		return listening(createServer(app));
	}
	// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
	const options: AuthOptions = {
		permissions: [REQUIRED],
		dpop: { mode: "allowed", proofMaxAge: PROOF_MAX_AGE, replay: await replayStore(server) },
	};
	switch (framework) {
		case "express": {
			const app = express();
			app.get(ROUTE, expressAuth(options), (_req, res) => {
				res.json(PRODUCTS);
			});
			return listening(createServer(app));
		}
		case "koa": {
			const app = new Koa();
			const guard = koaAuth(options);
			app.use((ctx, next) =>
				ctx.method === "GET" && ctx.path === ROUTE
					? guard(ctx, async () => {
							ctx.body = PRODUCTS;
						})
					: next(),
			);
			return listening(createServer(app.callback()));
		}
		case "fastify": {
			const app = Fastify();
			app.get(ROUTE, { onRequest: fastifyAuth(options) }, async () => PRODUCTS);
			await app.listen({ port: 0, host: "127.0.0.1" });
			return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
		}
		case "hono": {
			const app = new Hono();
			app.get(ROUTE, honoAuth(options), (c) => c.json(PRODUCTS));
			return listening(createAdaptorServer({ fetch: app.fetch }) as ReturnType<typeof createServer>);
		}
	}
}
