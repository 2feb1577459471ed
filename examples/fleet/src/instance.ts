// One instance of the fleet: the products API of examples/express, koa or fastify, with the fleet's
// revocation list as its isRevoked, and two routes to revoke with: POST /v1/logout (this token) and
// POST /v1/logout/everywhere (every token of this subject issued until now).
// Run: node --import tsx src/instance.ts <express|koa|fastify>, with BEARERGUARD_ISSUER,
// BEARERGUARD_AUDIENCE, REDIS_URL (default redis://127.0.0.1:6379) and PORT (default: any free port).
// Prints {"framework":...,"url":...} once it listens; stops on SIGTERM or SIGINT.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthResult } from "@bearerguard/core";
import { createRevocationList, type RevocationList } from "@bearerguard/redis";
import { createClient } from "redis";
import { createApp as createExpressApp } from "../../express/src/app.js";
import { createApp as createFastifyApp } from "../../fastify/src/app.js";
import { createApp as createKoaApp } from "../../koa/src/app.js";

const FRAMEWORKS = ["express", "koa", "fastify"] as const;
type Framework = (typeof FRAMEWORKS)[number];

/** What a logout route does with the caller's `auth`; the answer is 204, or 503 if Redis failed. */
async function logout(revocations: RevocationList, auth: AuthResult | undefined, everywhere: boolean) {
	if (!auth) return 401;
	try {
		if (everywhere) await revocations.revokeSubject(auth.subject ?? "", { before: new Date() });
		else await revocations.revoke(auth.claims);
		return 204;
	} catch {
		return 503;
	}
}

async function listen(server: Server, port: number): Promise<number> {
	await new Promise<void>((resolve, reject) =>
		server.listen(port, "127.0.0.1", resolve).once("error", reject),
	);
	return (server.address() as AddressInfo).port;
}

/** Starts one instance; resolves its port and a function that stops it. */
async function start(framework: Framework, revocations: RevocationList, port: number) {
	const options = { isRevoked: revocations.isRevoked };
	if (framework === "express") {
		const app = createExpressApp(options);
		// Added after createApp: its requireAuth guards these routes too.
		app.post("/v1/logout", async (req, res) => {
			res.sendStatus(await logout(revocations, req.auth, false));
		});
		app.post("/v1/logout/everywhere", async (req, res) => {
			res.sendStatus(await logout(revocations, req.auth, true));
		});
		const server = createServer(app);
		return { port: await listen(server, port), stop: () => new Promise((resolve) => server.close(resolve)) };
	}
	if (framework === "koa") {
		const app = createKoaApp(options);
		app.use(async (ctx, next) => {
			if (ctx.method !== "POST" || !ctx.path.startsWith("/v1/logout")) return next();
			ctx.status = await logout(revocations, ctx.state.auth, ctx.path === "/v1/logout/everywhere");
		});
		const server = createServer(app.callback());
		return { port: await listen(server, port), stop: () => new Promise((resolve) => server.close(resolve)) };
	}
	const app = await createFastifyApp(options);
	const guard = { onRequest: app.requireAuth() };
	app.post("/v1/logout", guard, async (request, reply) => {
		reply.code(await logout(revocations, request.auth ?? undefined, false)).send();
	});
	app.post("/v1/logout/everywhere", guard, async (request, reply) => {
		reply.code(await logout(revocations, request.auth ?? undefined, true)).send();
	});
	await app.listen({ port, host: "127.0.0.1" });
	return { port: (app.server.address() as AddressInfo).port, stop: () => app.close() };
}

const framework = process.argv[2] as Framework;
if (!FRAMEWORKS.includes(framework)) {
	console.error(`usage: node --import tsx src/instance.ts <${FRAMEWORKS.join("|")}>`);
	process.exit(2);
}
// The app reads its configuration; the package never reads the environment by itself.
const redis = await createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" })
	.on("error", (error: Error) => console.error(`${framework}: Redis: ${error.message}`))
	.connect();
const revocations = await createRevocationList(redis, { maxStaleness: "30s" });
const instance = await start(framework, revocations, Number(process.env.PORT ?? 0));
console.log(JSON.stringify({ framework, url: `http://127.0.0.1:${instance.port}` }));

const stop = async () => {
	await instance.stop();
	await revocations.close();
	redis.destroy();
	process.exit(0);
};
process.once("SIGTERM", stop).once("SIGINT", stop);
