import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createVerifier, type IssuerHealth } from "../../src/index.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** A free loopback port: listened on, then closed. */
async function freePort(): Promise<number> {
	const server = createServer().listen(0, "127.0.0.1");
	await new Promise((resolve) => server.once("listening", resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function issuerOn(port: number): Promise<TestIssuer> {
	const issuer = await createTestIssuer({ port });
	cleanup.push(() => issuer.close());
	return issuer;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 5000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error("timed out waiting");
		await sleep(20);
	}
}

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("health() and ready() across an issuer outage and recovery", () => {
	it("is not ready while the issuer is down, ready once it is up, stale and then not ready when it goes down again", async () => {
		const port = await freePort();
		const origin = `http://127.0.0.1:${port}`;
		const verifier = createVerifier({
			issuer: origin,
			audience: "https://api.example.test",
			jwks: { cacheMaxAge: 1, staleIfError: 1, cooldown: 0.3, timeout: 1 },
		});
		const before = verifier.health();
		expect(before).toEqual({
			ready: false,
			issuers: [
				{
					issuer: origin,
					keySource: "jwks",
					jwksUri: undefined,
					ready: false,
					keys: 0,
					stale: false,
					fetching: false,
					fetches: 0,
					lastFetchAt: undefined,
					lastSuccessAt: undefined,
					lastError: undefined,
				},
			],
		});

		// Down at start: ready() waits, retrying; health says why.
		let resolved = false;
		const ready = verifier.ready().then(() => {
			resolved = true;
		});
		await until(() => (verifier.health().issuers[0]?.fetches ?? 0) >= 2);
		const down = verifier.health().issuers[0] as IssuerHealth;
		expect(resolved).toBe(false);
		expect(down.ready).toBe(false);
		expect(down.lastError).toEqual({
			at: down.lastError?.at,
			reason: "discovery_failed",
			code: "ECONNREFUSED",
			status: undefined,
			message: `no metadata could be had for ${origin}: GET ${origin}/.well-known/openid-configuration failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port}); GET ${origin}/.well-known/oauth-authorization-server failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`,
			configuration: false,
		});
		expect(down.lastError?.at).toMatch(iso);

		// Up: ready() resolves by itself, health says ready with one key.
		const issuer = await issuerOn(port);
		await ready;
		const up = verifier.health();
		expect(up.ready).toBe(true);
		expect(up.issuers[0]).toMatchObject({
			ready: true,
			keys: 1,
			stale: false,
			jwksUri: issuer.jwksUri,
			fetching: false,
		});
		expect(up.issuers[0]?.lastSuccessAt).toMatch(iso);
		expect(Date.parse(up.issuers[0]?.lastSuccessAt as string)).toBeGreaterThan(
			Date.parse(down.lastError?.at as string),
		);
		await verifier.ready(); // at once now

		// Down again: the keys serve, stale, until staleIfError runs out; then not ready.
		await issuer.close();
		await sleep(1100);
		await verifier.verify(await issuer.sign()).catch(() => undefined); // a request starts the refresh
		await until(() => verifier.health().issuers[0]?.fetching === false);
		const stale = verifier.health().issuers[0] as IssuerHealth;
		expect(stale).toMatchObject({ ready: true, stale: true, keys: 1 });
		expect(stale.lastError?.code).toBe("ECONNREFUSED");
		expect(stale.lastError?.reason).toBe("jwks_unavailable");
		await until(() => verifier.health().ready === false, 3000);
		expect(verifier.health().issuers[0]).toMatchObject({ ready: false, keys: 1 });

		// Back: ready() loads them again.
		await issuerOn(port);
		await verifier.ready({ signal: AbortSignal.timeout(5000) });
		expect(verifier.health().issuers[0]).toMatchObject({ ready: true, stale: false, keys: 1 });
	}, 20_000);
});

describe("ready()", () => {
	it("stops waiting when its signal aborts, with the signal's reason (the loading goes on)", async () => {
		const port = await freePort();
		const verifier = createVerifier({
			issuer: `http://127.0.0.1:${port}`,
			audience: "a",
			jwks: { cooldown: 0.3 },
		});
		const reason = new Error("gave up");
		const controller = new AbortController();
		const waiting = verifier.ready({ signal: controller.signal });
		controller.abort(reason);
		await expect(waiting).rejects.toBe(reason);
		await expect(verifier.ready({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
		await issuerOn(port);
		await verifier.ready({ signal: AbortSignal.timeout(5000) });
		expect(verifier.health().ready).toBe(true);
	});

	it("shares one loop between callers: one fetch for many waiting", async () => {
		const issuer = await createTestIssuer();
		cleanup.push(() => issuer.close());
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		await Promise.all([verifier.ready(), verifier.ready(), verifier.ready()]);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
	});

	it("refuses options that are not { signal }", async () => {
		const verifier = createVerifier({ issuer: "https://a.example/", audience: "a" });
		await expect(verifier.ready(null as never)).rejects.toThrow(
			new TypeError("bearerguard: ready() takes { signal } or nothing."),
		);
		await expect(verifier.ready({ signal: "soon" as never })).rejects.toThrow(
			new TypeError("bearerguard: ready({ signal }) needs an AbortSignal."),
		);
	});

	it("is ready at once with a secret, and health says where keys come from", async () => {
		const verifier = createVerifier({
			issuer: ["https://a.example/", "https://b.example/"],
			audience: "a",
			secret: "s".repeat(32),
		});
		await verifier.ready();
		expect(verifier.health()).toEqual({
			ready: true,
			issuers: ["https://a.example/", "https://b.example/"].map((issuer) => ({
				issuer,
				keySource: "secret",
				jwksUri: undefined,
				ready: true,
				keys: 1,
				stale: false,
				fetching: false,
				fetches: 0,
				lastFetchAt: undefined,
				lastSuccessAt: undefined,
				lastError: undefined,
			})),
		});
	});

	it("loads every issuer's keys, each issuer in its own entry", async () => {
		const [a, b] = await Promise.all([createTestIssuer(), createTestIssuer({ algorithms: ["ES256"] })]);
		cleanup.push(
			() => a.close(),
			() => b.close(),
		);
		const verifier = createVerifier({ issuer: [a.issuer, b.issuer], audience: a.audience });
		await verifier.ready();
		expect(
			verifier.health().issuers.map((issuer) => [issuer.issuer, issuer.ready, issuer.keys, issuer.jwksUri]),
		).toEqual([
			[a.issuer, true, 1, a.jwksUri],
			[b.issuer, true, 1, b.jwksUri],
		]);
	});
});

describe("prefetch", () => {
	it("loads the keys when the verifier is created, before any request", async () => {
		const issuer = await createTestIssuer();
		cleanup.push(() => issuer.close());
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience, prefetch: true });
		await until(() => verifier.health().ready);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
		createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		await sleep(100);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
	});

	it("must be true or false", () => {
		expect(() =>
			createVerifier({ issuer: "https://a.example/", audience: "a", prefetch: "yes" as never }),
		).toThrow(new TypeError('bearerguard: "prefetch" must be true or false.'));
	});
});
