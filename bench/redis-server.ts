/**
 * One server of the Redis benchmark (redis.ts), in its own process:
 * `node --import tsx bench/redis-server.ts <express|koa|fastify> <variant>`, GET /v1/products behind
 * `requireAuth({ permissions: ['read'] })`, with no `isRevoked` (`bearerguard`), a constant one
 * (`isRevoked: () => false`) or the Redis revocation list's (`isRevoked: list.isRevoked`, the list
 * holding BENCH_REDIS_ENTRIES revocations). Configured by BEARERGUARD_ISSUER, BEARERGUARD_AUDIENCE,
 * BENCH_REDIS_URL and BENCH_REDIS_PREFIX. The same line protocol as server.ts: prints `{"port":N}`
 * once it listens, answers the stdin line `cpu`, exits on SIGTERM or when stdin closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import type { IsRevokedFn } from "@bearerguard/core";
import { requireAuth as expressAuth } from "@bearerguard/express";
import { requireAuth as fastifyAuth } from "@bearerguard/fastify";
import { requireAuth as koaAuth } from "@bearerguard/koa";
import { createRevocationList } from "@bearerguard/redis";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import { createClient } from "redis";
import { REDIS_VARIANTS, type RedisVariant } from "./lib/redis-bench.js";
import { PRODUCTS, REQUIRED, ROUTE } from "./servers/shared.js";

async function isRevokedFor(variant: RedisVariant): Promise<IsRevokedFn | undefined> {
	if (variant === "bearerguard") return undefined;
	if (variant === "bearerguard + isRevoked: () => false") return () => false;
	const client = createClient({ url: process.env.BENCH_REDIS_URL });
	client.on("error", (error: Error) => process.stderr.write(`bench redis server: ${error.message}\n`));
	await client.connect();
	const list = await createRevocationList(client, { prefix: process.env.BENCH_REDIS_PREFIX });
	const expected = Number(process.env.BENCH_REDIS_ENTRIES ?? 0);
	if (list.status().entries.tokens !== expected) {
		throw new Error(`bench redis server: the list holds ${list.status().entries.tokens}, not ${expected}`);
	}
	return list.isRevoked;
}

async function start(framework: string, variant: RedisVariant): Promise<number> {
	const isRevoked = await isRevokedFor(variant);
	// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
	const options = { permissions: [REQUIRED], ...(isRevoked ? { isRevoked } : {}) };
	if (framework === "fastify") {
		const app = Fastify();
		app.get(ROUTE, { onRequest: fastifyAuth(options) }, async () => PRODUCTS);
		await app.listen({ port: 0, host: "127.0.0.1" });
		return (app.server.address() as AddressInfo).port;
	}
	let server: ReturnType<typeof createServer>;
	if (framework === "express") {
		const app = express();
		app.get(ROUTE, expressAuth(options), (_req, res) => {
			res.json(PRODUCTS);
		});
		server = createServer(app);
	} else if (framework === "koa") {
		const app = new Koa();
		const guard = koaAuth(options);
		app.use((ctx, next) =>
			ctx.method === "GET" && ctx.path === ROUTE
				? guard(ctx, async () => {
						ctx.body = PRODUCTS;
					})
				: next(),
		);
		server = createServer(app.callback());
	} else {
		throw new Error(`usage: redis-server.ts <express|koa|fastify> <variant>, got ${framework}`);
	}
	server.listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	return (server.address() as AddressInfo).port;
}

const exit = () => process.exit(0);
process.once("SIGTERM", exit).once("SIGINT", exit);
createInterface({ input: process.stdin })
	.on("line", (line) => {
		if (line === "cpu") process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
	})
	.once("close", exit);
const variant = process.argv[3] as RedisVariant;
if (!REDIS_VARIANTS.includes(variant)) throw new Error(`bench redis server: unknown variant ${variant}`);
const port = await start(process.argv[2] ?? "", variant);
process.stdout.write(`${JSON.stringify({ port })}\n`);
