/**
 * The examples' readiness routes (`/readyz`) across an issuer outage and recovery, and the verifier
 * each adapter makes reachable (`auth.verifier` on Express and Koa, `app.authVerifier` on Fastify).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { requireAuth as koaRequireAuth } from "@bearerguard/koa";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createApp as createExpressApp } from "../../examples/express/src/app.js";
import { createApp as createFastifyApp } from "../../examples/fastify/src/app.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function freePort(): Promise<number> {
	const server = createServer().listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function until(check: () => Promise<boolean>, ms = 8000): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error("timed out waiting");
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

type Probe = () => Promise<{
	status: number;
	body: { ready: boolean; issuers: Array<Record<string, unknown>> };
}>;

async function outageAndRecovery(probe: Probe, port: number): Promise<void> {
	await until(async () => (await probe()).body.issuers[0]?.lastError !== undefined);
	const down = await probe();
	expect(down.status).toBe(503);
	expect(down.body.ready).toBe(false);
	expect(down.body.issuers[0]).toMatchObject({
		ready: false,
		keys: 0,
		lastError: { reason: "discovery_failed", code: "ECONNREFUSED", configuration: false },
	});
	const issuer: TestIssuer = await createTestIssuer({ port, audience: "https://api.example.com" });
	cleanup.push(() => issuer.close());
	// Nothing asks for keys meanwhile: prefetch keeps retrying until they come.
	await until(async () => (await probe()).status === 200);
	const up = await probe();
	expect(up.body.ready).toBe(true);
	expect(up.body.issuers[0]).toMatchObject({ ready: true, keys: 1, stale: false, jwksUri: issuer.jwksUri });
}

describe("/readyz of the examples", () => {
	it("Express: 503 while the issuer is down, 200 once its keys are loaded", async () => {
		const port = await freePort();
		const app = createExpressApp({
			issuer: `http://127.0.0.1:${port}`,
			audience: "https://api.example.com",
			jwks: { cooldown: 0.3 },
		});
		await outageAndRecovery(async () => {
			const res = await request(app).get("/readyz");
			return { status: res.status, body: res.body };
		}, port);
	});

	it("Fastify: 503 while the issuer is down, 200 once its keys are loaded", async () => {
		const port = await freePort();
		const app = await createFastifyApp({
			issuer: `http://127.0.0.1:${port}`,
			audience: "https://api.example.com",
			jwks: { cooldown: 0.3 },
		});
		cleanup.push(() => app.close());
		await outageAndRecovery(async () => {
			const res = await app.inject({ method: "GET", url: "/readyz" });
			return { status: res.statusCode, body: res.json() };
		}, port);
	});
});

describe("the verifier behind each adapter", () => {
	it("Koa: requireAuth(...).verifier is the shared verifier, with ready() and health()", async () => {
		const issuer = await createTestIssuer();
		cleanup.push(() => issuer.close());
		const auth = koaRequireAuth({ issuer: issuer.issuer, audience: issuer.audience });
		expect(auth.verifier).toBe(
			koaRequireAuth({ audience: issuer.audience, issuer: issuer.issuer, permissions: ["x"] }).verifier,
		);
		expect(auth.verifier.health().ready).toBe(false);
		await auth.verifier.ready();
		expect(auth.verifier.health().issuers.map((entry) => [entry.issuer, entry.ready, entry.keys])).toEqual([
			[issuer.issuer, true, 1],
		]);
	});
});
