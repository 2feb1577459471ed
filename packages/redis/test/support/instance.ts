/**
 * One instance of a fleet, in a process of its own, as a user would run it: a Redis client, a
 * revocation list, and an app on Express, Koa or Fastify with `requireAuth({ isRevoked })`.
 * `node --conditions=source --import tsx instance.ts <express|koa|fastify>`, configured by
 * ISSUER, AUDIENCE, REDIS_URL, PREFIX, MAX_STALENESS (seconds) and FAIL_OPEN=1. Prints `{"port":N}`
 * once it listens; exits on SIGTERM or when its stdin closes.
 *
 * Routes: GET /v1/products (guarded); POST /admin/revoke (unguarded, for the test) with a JSON
 * {@link AdminRevocation}, answered 204 once Redis holds it; GET /admin/status.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { requireAuth as expressAuth } from "@bearerguard/express";
import { requireAuth as fastifyAuth } from "@bearerguard/fastify";
import { requireAuth as koaAuth } from "@bearerguard/koa";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import { createRevocationList, type RevocationList } from "../../src/index.js";
import { connectClient } from "./redis.js";

export interface AdminRevocation {
	readonly kind: "token" | "subject" | "client";
	readonly jti?: string;
	readonly exp?: number;
	readonly id?: string;
	/** Milliseconds since the epoch. */
	readonly before?: number;
}

const env = (name: string): string => {
	const value = process.env[name];
	if (!value) throw new Error(`instance: ${name} is not set`);
	return value;
};

const client = await connectClient(env("REDIS_URL"), "node-redis");
const list = await createRevocationList(client.client, {
	prefix: env("PREFIX"),
	maxStaleness: Number(env("MAX_STALENESS")),
	failOpen: process.env.FAIL_OPEN === "1",
});
const auth = { issuer: env("ISSUER"), audience: env("AUDIENCE"), isRevoked: list.isRevoked };
const products = { products: [{ id: "p_1", name: "Espresso beans" }] };

function revoke(body: AdminRevocation): Promise<void> {
	if (body.kind === "token") return list.revoke({ jti: body.jti, exp: body.exp });
	const cutOff = { before: new Date(body.before ?? Number.NaN) };
	return body.kind === "subject"
		? list.revokeSubject(body.id ?? "", cutOff)
		: list.revokeClient(body.id ?? "", cutOff);
}

async function listen(server: Server): Promise<number> {
	server.listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	return (server.address() as AddressInfo).port;
}

async function startExpress(revocations: RevocationList): Promise<number> {
	const app = express();
	app.post("/admin/revoke", express.json(), async (req, res) => {
		await revoke(req.body as AdminRevocation);
		res.sendStatus(204);
	});
	app.get("/admin/status", (_req, res) => {
		res.json(revocations.status());
	});
	app.get("/v1/products", expressAuth(auth), (_req, res) => {
		res.json(products);
	});
	return listen(createServer(app));
}

async function startKoa(revocations: RevocationList): Promise<number> {
	const app = new Koa();
	const guard = koaAuth(auth);
	app.use(async (ctx, next) => {
		if (ctx.method === "POST" && ctx.path === "/admin/revoke") {
			await revoke(JSON.parse(await text(ctx.req as IncomingMessage)) as AdminRevocation);
			ctx.status = 204;
		} else if (ctx.path === "/admin/status") {
			ctx.body = revocations.status();
		} else if (ctx.path === "/v1/products") {
			await guard(ctx, async () => {
				ctx.body = products;
			});
		} else {
			await next();
		}
	});
	return listen(createServer(app.callback()));
}

async function startFastify(revocations: RevocationList): Promise<number> {
	const app = Fastify();
	app.post<{ Body: AdminRevocation }>("/admin/revoke", async (request, reply) => {
		await revoke(request.body);
		return reply.code(204).send();
	});
	app.get("/admin/status", async () => revocations.status());
	app.get("/v1/products", { onRequest: fastifyAuth(auth) }, async () => products);
	await app.listen({ port: 0, host: "127.0.0.1" });
	return (app.server.address() as AddressInfo).port;
}

const starters = { express: startExpress, koa: startKoa, fastify: startFastify };
const framework = process.argv[2] as keyof typeof starters;
if (!(framework in starters)) throw new Error(`usage: instance.ts <${Object.keys(starters).join("|")}>`);
const port = await starters[framework](list);
process.stdout.write(`${JSON.stringify({ port })}\n`);

const exit = () => process.exit(0);
process.once("SIGTERM", exit);
process.stdin.once("close", exit).resume();
