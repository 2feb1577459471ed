/**
 * A fleet as users run it: Express, Koa and Fastify instances, each its own process with its own
 * Redis connections and mirror, sharing one real `redis-server`; a fourth Fastify instance with
 * `failOpen` reaches Redis through a TCP proxy, so it can be cut off alone. Revocations go in
 * through one instance's admin route; every instance is then polled over HTTP until it refuses.
 */
import { randomUUID } from "node:crypto";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Instance, percentile, REVOKED, startInstance, UNAVAILABLE } from "./support/fleet.js";
import { nowSeconds } from "./support/issuer.js";
import { canRun, REDIS_BINARY } from "./support/redis.js";
import { type RedisServer, startRedisServer } from "./support/redis-server.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

const run = canRun("binary", "fleet.test.ts");
const MAX_STALENESS_S = 2;
const HEARTBEAT_MS = (MAX_STALENESS_S * 1000) / 4;
/**
 * The contract: a revocation reaches every instance within 100 ms of being made (Redis holds it: the
 * admin route's 204). Asserted with margin for a loaded 2-core machine, the real figures logged; from
 * the start of the admin request (its own HTTP and Redis round trips included), a looser bound.
 */
const P99_BOUND_MS = 250;
const P99_FROM_REQUEST_START_MS = 500;

async function expectRevoked(response: Response): Promise<void> {
	expect(response.status).toBe(REVOKED.status);
	expect(response.headers.get("www-authenticate")).toBe(REVOKED.challenge);
	expect(await response.json()).toEqual(REVOKED.body);
}

async function expectOk(response: Response): Promise<void> {
	expect(response.status).toBe(200);
	await response.arrayBuffer();
}

/**
 * Polls `instance` with `token` until it answers `status`, every answer before it being `meanwhile`;
 * resolves the ms since `since` and the answer.
 */
async function until(
	instance: Instance,
	token: string,
	status: number,
	since: number,
	limitMs = 5000,
	meanwhile = 200,
) {
	for (;;) {
		const response = await instance.get(token);
		const elapsed = performance.now() - since;
		if (response.status === status) return { elapsed, response };
		expect(response.status).toBe(meanwhile);
		await response.arrayBuffer();
		// A pause between polls: four tight loops would starve the instances of the 2 cores they share.
		await new Promise((resolve) => setTimeout(resolve, 1));
		if (elapsed > limitMs) throw new Error(`${instance.name} still answers ${meanwhile} after ${limitMs} ms`);
	}
}

describe.skipIf(!run)("a fleet of Express, Koa and Fastify instances sharing one Redis", () => {
	let redis: RedisServer;
	let proxy: TcpProxy;
	let issuer: TestIssuer;
	let fleet: Instance[] = [];
	let failClosed: Instance[] = [];
	let cutOff: Instance;

	const sign = (claims: Record<string, unknown> = {}) => issuer.sign({ jti: randomUUID(), ...claims });
	const revokeToken = (through: Instance, token: string) => {
		const { jti, exp } = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
		return through.revoke({ kind: "token", jti, exp });
	};

	beforeAll(async () => {
		redis = await startRedisServer(REDIS_BINARY as string);
		proxy = await startTcpProxy(redis.port);
		issuer = await createTestIssuer();
		const prefix = `fleet:${randomUUID()}:{revocations}:`;
		failClosed = await Promise.all(
			(["express", "koa", "fastify"] as const).map((framework) =>
				startInstance({ framework, redisUrl: redis.url }, issuer, prefix, MAX_STALENESS_S),
			),
		);
		cutOff = await startInstance(
			{ framework: "fastify", redisUrl: proxy.url, failOpen: true },
			issuer,
			prefix,
			MAX_STALENESS_S,
		);
		fleet = [...failClosed, cutOff];
	}, 60_000);

	afterAll(async () => {
		await Promise.all(fleet.map((instance) => instance.stop()));
		await proxy?.close();
		await issuer?.close();
		await redis?.stop();
	});

	it("refuses a token revoked through any one instance on every instance within 100 ms (p99)", async () => {
		const rounds = 31;
		const fromStart: number[] = [];
		const fromStored: number[] = [];
		for (let round = 0; round < rounds; round++) {
			const token = await sign();
			for (const instance of fleet) await expectOk(await instance.get(token));
			const through = failClosed[round % failClosed.length] as Instance;
			const started = performance.now();
			const refused = fleet.map((instance) => until(instance, token, 401, started, 2000));
			await revokeToken(through, token);
			const stored = performance.now() - started;
			for (const { elapsed, response } of await Promise.all(refused)) {
				await expectRevoked(response);
				// Round 0 warms every process up (first admin request, first message): not counted.
				if (round === 0) continue;
				fromStart.push(elapsed);
				fromStored.push(Math.max(0, elapsed - stored));
			}
		}
		const figures = (values: number[]) =>
			`p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
		console.log(
			`[fleet] revoke through one instance → 401 on each of the 4 (${fromStart.length} samples, polled over HTTP): ` +
				`from the admin request's start ${figures(fromStart)}; from its 204 (Redis holds it) ${figures(fromStored)}`,
		);
		expect(percentile(fromStored, 99)).toBeLessThan(P99_BOUND_MS);
		expect(percentile(fromStart, 99)).toBeLessThan(P99_FROM_REQUEST_START_MS);
		expect(Math.max(...fromStart)).toBeLessThan(1000);
	}, 60_000);

	it("revokeSubject refuses the subject's tokens issued before the cut-off, on every instance, and no others", async () => {
		const now = nowSeconds();
		const sub = `user_${randomUUID()}`;
		const before = await sign({ sub, iat: now - 30 });
		const after = await sign({ sub, iat: now + 1 });
		const other = await sign({ sub: `user_${randomUUID()}`, iat: now - 30 });
		await (failClosed[1] as Instance).revoke({ kind: "subject", id: sub, before: now * 1000 });
		const started = performance.now();
		for (const instance of fleet) {
			const { response } = await until(instance, before, 401, started, 1000);
			await expectRevoked(response);
			await expectOk(await instance.get(after));
			await expectOk(await instance.get(other));
		}
	});

	it("revokeClient refuses the client's tokens issued before the cut-off, by client_id or azp", async () => {
		const now = nowSeconds();
		const clientId = `client_${randomUUID()}`;
		const byClientId = await sign({ client_id: clientId, iat: now - 30 });
		const byAzp = await sign({ azp: clientId, iat: now - 30 });
		const after = await sign({ client_id: clientId, iat: now + 1 });
		await (failClosed[2] as Instance).revoke({ kind: "client", id: clientId, before: now * 1000 });
		const started = performance.now();
		for (const instance of fleet) {
			await expectRevoked((await until(instance, byClientId, 401, started, 1000)).response);
			await expectRevoked(await instance.get(byAzp));
			await expectOk(await instance.get(after));
		}
	});

	it("an instance cut off from Redis misses a revocation, and applies it as it reconnects", async () => {
		const token = await sign();
		proxy.cut();
		const started = performance.now();
		await revokeToken(failClosed[0] as Instance, token);
		for (const instance of failClosed)
			await expectRevoked((await until(instance, token, 401, started)).response);
		// Cut off (and failOpen), it cannot know: the token still passes there.
		await new Promise((resolve) => setTimeout(resolve, 300));
		await expectOk(await cutOff.get(token));
		const reloadsBefore = (await cutOff.status()).reloads;

		proxy.restore();
		const restored = performance.now();
		const { elapsed, response } = await until(cutOff, token, 401, restored, 10_000);
		await expectRevoked(response);
		console.log(
			`[fleet] cut-off instance applied the revocation ${elapsed.toFixed(0)} ms after reconnecting`,
		);
		expect((await cutOff.status()).reloads).toBeGreaterThan(reloadsBefore);
	}, 30_000);

	it("Redis killed: 200 until maxStaleness, then 503 (failOpen: 200); back: revocations reach all again", async () => {
		const valid = await sign();
		for (const instance of fleet) await expectOk(await instance.get(valid));
		await redis.kill();
		const killedAt = performance.now();
		const firstUnavailable = await Promise.all(
			failClosed.map(async (instance) => {
				const { elapsed, response } = await until(
					instance,
					valid,
					503,
					killedAt,
					MAX_STALENESS_S * 1000 + 2000,
				);
				expect(response.headers.get("retry-after")).toBe("1");
				expect(await response.json()).toEqual(UNAVAILABLE.body);
				return elapsed;
			}),
		);
		console.log(
			`[fleet] Redis killed: first 503 after ${firstUnavailable.map((ms) => ms.toFixed(0)).join(", ")} ms (maxStaleness ${MAX_STALENESS_S * 1000} ms)`,
		);
		for (const elapsed of firstUnavailable) {
			expect(elapsed).toBeGreaterThanOrEqual(MAX_STALENESS_S * 1000 - HEARTBEAT_MS - 100);
		}
		for (const instance of failClosed) expect((await instance.get(valid)).status).toBe(503);
		await expectOk(await cutOff.get(valid));

		await redis.restart();
		const restarted = performance.now();
		for (const instance of failClosed) await until(instance, valid, 200, restarted, 10_000, 503);
		for (const instance of fleet) await expectOk(await instance.get(valid));
		const later = await sign();
		const started = performance.now();
		await revokeToken(failClosed[1] as Instance, later);
		for (const instance of fleet)
			await expectRevoked((await until(instance, later, 401, started, 1000)).response);
	}, 60_000);
});
