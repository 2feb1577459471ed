/**
 * How much any middleware costs, against bearerguard on a cached token: the same route with nothing,
 * a no-op middleware (a no-op `onRequest` hook on Fastify), one that only sets `auth` where the contract
 * puts it (`req.auth`, `ctx.state.auth`, `request.auth`), and requireAuth, on Express, Koa and Fastify,
 * servers warmed up, then alternating rounds of 4 s (3 by default); req/s is the median of the rounds, the
 * ratio the median of the per-round ratios. Servers are pinned to a core as in http.ts (see lib/pinning.ts).
 * `node --import tsx bench/middleware-probe.ts` (env: PROBE_ROUNDS=3, PROBE_FRAMEWORKS=express,koa,fastify)
 */
import { fork } from "node:child_process";
import { createTestIssuer } from "@bearerguard/testing";
import autocannon from "autocannon";
import { pinning } from "./lib/pinning.js";

/** What a middleware that only sets `auth` sets it to. */
const AUTH = Object.freeze({ subject: "user_123" });

const mode = process.argv[2];
if (mode === "server") {
	const [fw, variant] = process.argv.slice(3) as [string, string];
	if (fw === "express") {
		const { default: express } = await import("express");
		const { requireAuth } = await import("@bearerguard/express");
		const app = express();
		const middleware: Record<string, import("express").RequestHandler[]> = {
			none: [],
			noop: [(_req, _res, next) => next()],
			// What the contract's `req.auth` costs by itself: a new property on Express's request object.
			"sets auth": [
				(req, _res, next) => {
					(req as { auth?: unknown }).auth = AUTH;
					next();
				},
			],
			bearerguard: [requireAuth({ permissions: ["read"] })],
		};
		app.get("/v1/products", ...(middleware[variant] ?? []), (_req, res) => {
			res.json({ ok: true });
		});
		const s = app.listen(0, "127.0.0.1", () => process.send?.((s.address() as { port: number }).port));
	} else if (fw === "fastify") {
		const { default: Fastify } = await import("fastify");
		const { default: bearerGuard } = await import("@bearerguard/fastify");
		const app = Fastify();
		await app.register(bearerGuard);
		const hooks: Record<string, import("fastify").onRequestHookHandler | undefined> = {
			none: undefined,
			noop: (_request, _reply, done) => done(),
			"sets auth": (request, _reply, done) => {
				(request as { auth: unknown }).auth = AUTH;
				done();
			},
			bearerguard: app.requireAuth({ permissions: ["read"] }),
		};
		const onRequest = hooks[variant];
		app.get("/v1/products", onRequest ? { onRequest } : {}, async () => ({ ok: true }));
		await app.listen({ port: 0, host: "127.0.0.1" });
		process.send?.((app.server.address() as { port: number }).port);
	} else {
		const { default: Koa } = await import("koa");
		const { requireAuth } = await import("@bearerguard/koa");
		const app = new Koa();
		if (variant === "noop") app.use((_ctx, next) => next());
		if (variant === "sets auth")
			app.use((ctx, next) => {
				(ctx.state as { auth?: unknown }).auth = AUTH;
				return next();
			});
		if (variant === "bearerguard") app.use(requireAuth({ permissions: ["read"] }));
		app.use((ctx) => {
			ctx.body = { ok: true };
		});
		const s = app.listen(0, "127.0.0.1", () => process.send?.((s.address() as { port: number }).port));
	}
} else {
	const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
	const VARIANTS = ["none", "noop", "sets auth", "bearerguard"] as const;
	const { pinned, serverCore } = pinning();
	const issuer = await createTestIssuer();
	const token = await issuer.sign({ permissions: ["read"] });
	const env = { ...process.env, BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: issuer.audience };
	const load = async (port: number, seconds: number) => {
		const result = await autocannon({
			url: `http://127.0.0.1:${port}/v1/products`,
			connections: 50,
			duration: seconds,
			headers: { authorization: `Bearer ${token}` },
		});
		if (result.non2xx > 0) throw new Error(`port ${port}: ${result.non2xx} answers were not 2xx`);
		return result.requests.average;
	};
	console.log(pinned ? `servers pinned to core ${serverCore}` : "processes not pinned");
	for (const fw of (process.env.PROBE_FRAMEWORKS ?? "express,koa,fastify").split(",")) {
		const servers = await Promise.all(
			VARIANTS.map(async (variant) => {
				// Pinned like http.ts's servers: `taskset -c <core> node --import tsx <this file> server ...`.
				const { file, args } = pinning().command(["--import", "tsx"]);
				const child = fork(new URL(import.meta.url).pathname, ["server", fw, variant], {
					env,
					execPath: file,
					execArgv: args,
				});
				const port = await new Promise<number>((resolve) =>
					child.once("message", (m) => resolve(m as number)),
				);
				return { variant, child, port };
			}),
		);
		for (const { port } of servers) await load(port, 3);
		const runs: Record<string, number[]> = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
		for (let round = 0; round < ROUNDS; round++) {
			const order = round % 2 === 0 ? servers : [...servers].reverse();
			for (const { variant, port } of order) {
				await load(port, 1);
				runs[variant]?.push(await load(port, 4));
			}
		}
		for (const { child } of servers) child.kill();
		const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1] as number;
		const ratio = (variant: string) =>
			median((runs[variant] as number[]).map((value, round) => value / (runs.none as number[])[round]!));
		console.log(
			fw,
			VARIANTS.map(
				(variant) =>
					`${variant} ${Math.round(median(runs[variant] as number[]))} req/s (${ratio(variant).toFixed(2)}x)`,
			).join(", "),
		);
	}
	await issuer.close();
}
