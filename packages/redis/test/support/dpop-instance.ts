/**
 * One instance of a DPoP fleet, in a process of its own, as a user would run it: a Redis client, the
 * Redis replay store, and an app on Express, Koa or Fastify with `requireAuth({ dpop: { replay } })`.
 * `node --conditions=source --import tsx dpop-instance.ts <express|koa|fastify>`, configured by ISSUER,
 * AUDIENCE, REDIS_URL, PREFIX and DRIVER (`node-redis` or `ioredis`). Prints `{"port":N}` once it
 * listens; exits on SIGTERM or when its stdin closes.
 *
 * Route: GET /v1/products (guarded), answering `{ subject, scheme, jkt }` of the verified token.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthResult } from "@bearerguard/core";
import { requireAuth as expressAuth } from "@bearerguard/express";
import { requireAuth as fastifyAuth } from "@bearerguard/fastify";
import { requireAuth as koaAuth } from "@bearerguard/koa";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import { createReplayStore } from "../../src/index.js";
import { connectClient, type DriverName } from "./redis.js";

const env = (name: string): string => {
	const value = process.env[name];
	if (!value) throw new Error(`dpop-instance: ${name} is not set`);
	return value;
};

const client = await connectClient(env("REDIS_URL"), env("DRIVER") as DriverName);
const replay = createReplayStore(client.client, { prefix: env("PREFIX") });
const auth = { issuer: env("ISSUER"), audience: env("AUDIENCE"), dpop: { mode: "allowed" as const, replay } };
const describe = (verified: AuthResult | null | undefined) => ({
	subject: verified?.subject ?? null,
	scheme: verified?.scheme ?? null,
	jkt: verified?.confirmation?.jkt ?? null,
});

async function listen(server: Server): Promise<number> {
	server.listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	return (server.address() as AddressInfo).port;
}

async function startExpress(): Promise<number> {
	const app = express();
	app.get("/v1/products", expressAuth(auth), (req, res) => {
		res.json(describe(req.auth));
	});
	return listen(createServer(app));
}

async function startKoa(): Promise<number> {
	const app = new Koa();
	const guard = koaAuth(auth);
	app.use(async (ctx, next) => {
		if (ctx.path !== "/v1/products") return next();
		await guard(ctx, async () => {
			ctx.body = describe(ctx.state.auth);
		});
	});
	return listen(createServer(app.callback()));
}

async function startFastify(): Promise<number> {
	const app = Fastify();
	app.get("/v1/products", { onRequest: fastifyAuth(auth) }, async (request) => describe(request.auth));
	await app.listen({ port: 0, host: "127.0.0.1" });
	return (app.server.address() as AddressInfo).port;
}

const starters = { express: startExpress, koa: startKoa, fastify: startFastify };
const framework = process.argv[2] as keyof typeof starters;
if (!(framework in starters)) throw new Error(`usage: dpop-instance.ts <${Object.keys(starters).join("|")}>`);
const port = await starters[framework]();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const exit = () => process.exit(0);
process.once("SIGTERM", exit);
process.stdin.once("close", exit).resume();
