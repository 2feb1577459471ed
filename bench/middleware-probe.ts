/**
 * How much any middleware costs, against bearerguard on a cached token: the same route with nothing,
 * a no-op middleware (a no-op `onRequest` hook on Fastify), and requireAuth, on Express, Koa and Fastify,
 * alternating 3 rounds of 4 s (median).
 * `node --import tsx bench/middleware-probe.ts` (env: PROBE_ROUNDS=3, PROBE_FRAMEWORKS=express,koa,fastify)
 */
import { fork } from "node:child_process";
import { createTestIssuer } from "@bearerguard/testing";
import autocannon from "autocannon";

const mode = process.argv[2];
if (mode === "server") {
	const [fw, variant] = process.argv.slice(3) as [string, string];
	if (fw === "express") {
		const { default: express } = await import("express");
		const { requireAuth } = await import("@bearerguard/express");
		const app = express();
		const mw =
			variant === "noop"
				? [(_q: unknown, _s: unknown, n: () => void) => n()]
				: variant === "bearerguard"
					? [requireAuth({ permissions: ["read"] })]
					: [];
		app.get("/v1/products", ...(mw as []), (_q, res) => res.json({ ok: true }));
		const s = app.listen(0, "127.0.0.1", () => process.send?.((s.address() as { port: number }).port));
	} else if (fw === "fastify") {
		const { default: Fastify } = await import("fastify");
		const { default: bearerGuard } = await import("@bearerguard/fastify");
		const app = Fastify();
		await app.register(bearerGuard);
		const onRequest =
			variant === "noop"
				? (_q: unknown, _r: unknown, done: () => void) => done()
				: variant === "bearerguard"
					? app.requireAuth({ permissions: ["read"] })
					: undefined;
		app.get("/v1/products", onRequest ? { onRequest } : {}, async () => ({ ok: true }));
		await app.listen({ port: 0, host: "127.0.0.1" });
		process.send?.((app.server.address() as { port: number }).port);
	} else {
		const { default: Koa } = await import("koa");
		const { requireAuth } = await import("@bearerguard/koa");
		const app = new Koa();
		if (variant === "noop") app.use((_c, n) => n());
		if (variant === "bearerguard") app.use(requireAuth({ permissions: ["read"] }));
		app.use((ctx) => {
			ctx.body = { ok: true };
		});
		const s = app.listen(0, "127.0.0.1", () => process.send?.((s.address() as { port: number }).port));
	}
} else {
	const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
	const issuer = await createTestIssuer();
	const token = await issuer.sign({ permissions: ["read"] });
	const env = { ...process.env, BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: issuer.audience };
	for (const fw of (process.env.PROBE_FRAMEWORKS ?? "express,koa,fastify").split(",")) {
		const results: Record<string, number[]> = { none: [], noop: [], bearerguard: [] };
		for (let round = 0; round < ROUNDS; round++) {
			for (const variant of ["none", "noop", "bearerguard"]) {
				const child = fork(new URL(import.meta.url).pathname, ["server", fw, variant], {
					env,
					execArgv: ["--import", "tsx"],
				});
				const port = await new Promise<number>((resolve) =>
					child.once("message", (m) => resolve(m as number)),
				);
				const run = (d: number) =>
					autocannon({
						url: `http://127.0.0.1:${port}/v1/products`,
						connections: 50,
						duration: d,
						headers: { authorization: `Bearer ${token}` },
					});
				await run(1);
				const r = await run(4);
				if (r.non2xx > 0) throw new Error(`${fw} ${variant}: ${r.non2xx} answers were not 2xx`);
				results[variant]!.push(r.requests.average);
				child.kill();
			}
		}
		const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
		const base = med(results.none!);
		console.log(
			fw,
			Object.entries(results)
				.map(([k, v]) => `${k} ${Math.round(med(v))} req/s (${(med(v) / base).toFixed(2)}x)`)
				.join(", "),
		);
	}
	await issuer.close();
}
