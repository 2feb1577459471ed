/**
 * DPoP replay across a fleet: Express, Koa and Fastify instances, each a process of its own with its own
 * Redis client (node-redis or ioredis) and `dpop: { replay: createReplayStore(client) }`, behind one
 * public URL (requests carry the load balancer's `Host`, so a proof's `htu` fits every instance). A proof
 * accepted by one instance is refused by every other; with Redis gone, an instance answers 503, never
 * 200.
 */
import { request as httpRequest } from "node:http";
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, spawnTs } from "./support/child.js";
import { canRun, type DriverName, REDIS_BINARY, type TestRedis, testRedis } from "./support/redis.js";
import { startRedisServer } from "./support/redis-server.js";

const run = canRun("any", "dpop-fleet.test.ts");

/** The public origin of the fleet, as the load balancer forwards it in `Host`. */
const PUBLIC_HOST = "api.example.test";
const HTU = `http://${PUBLIC_HOST}/v1/products`;
const ALGS = "ES256 Ed25519 EdDSA PS256 RS256";
const REPLAYED = {
	status: 401,
	challenge: `DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof has already been used", algs="${ALGS}"`,
	body: JSON.stringify({ error: "invalid_dpop_proof", message: "DPoP proof has already been used" }),
};

type Framework = "express" | "koa" | "fastify";

interface Instance {
	readonly name: string;
	readonly port: number;
	stop(): Promise<void>;
}

interface Answer {
	readonly status: number;
	readonly headers: Record<string, string | string[] | undefined>;
	readonly body: string;
}

async function startInstance(
	framework: Framework,
	driver: DriverName,
	redisUrl: string,
	prefix: string,
	issuer: TestIssuer,
): Promise<Instance> {
	const child: Child = spawnTs(`${import.meta.dirname}/support/dpop-instance.ts`, [framework], {
		ISSUER: issuer.issuer,
		AUDIENCE: issuer.audience,
		REDIS_URL: redisUrl,
		PREFIX: prefix,
		DRIVER: driver,
	});
	const { port } = JSON.parse(await child.line()) as { port: number };
	return { name: `${framework} (${driver})`, port, stop: () => child.stop() };
}

/** GET /v1/products on `instance` with the public `Host`, as the load balancer forwards it. */
function get(instance: Instance, headers: Record<string, string>, timeoutMs = 10_000): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			{
				host: "127.0.0.1",
				port: instance.port,
				path: "/v1/products",
				method: "GET",
				headers: { host: PUBLIC_HOST, ...headers },
				agent: false,
				timeout: timeoutMs,
			},
			(res) => {
				let body = "";
				res.setEncoding("utf8");
				res.on("data", (chunk: string) => {
					body += chunk;
				});
				res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
			},
		);
		req.on("timeout", () => req.destroy(new Error(`${instance.name} did not answer within ${timeoutMs} ms`)));
		req.on("error", reject);
		req.end();
	});
}

function expectAccepted(answer: Answer, key: DpopKey, where: string): void {
	expect(answer.status, `${where}: ${answer.body}`).toBe(200);
	expect(answer.headers["www-authenticate"], where).toBeUndefined();
	expect(JSON.parse(answer.body), where).toEqual({ subject: "user_123", scheme: "DPoP", jkt: key.jkt });
}

function expectReplayed(answer: Answer, where: string): void {
	expect(answer.status, `${where}: ${answer.body}`).toBe(REPLAYED.status);
	expect(answer.headers["www-authenticate"], where).toBe(REPLAYED.challenge);
	expect(answer.headers["content-type"], where).toBe("application/json");
	expect(answer.headers["cache-control"], where).toBe("no-store");
	expect(answer.body, where).toBe(REPLAYED.body);
}

describe.skipIf(!run)("a DPoP proof across instances sharing the Redis replay store", () => {
	let redis: TestRedis;
	let issuer: TestIssuer;
	let key: DpopKey;
	let token: string;
	let fleet: Instance[] = [];

	beforeAll(async () => {
		[redis, issuer, key] = await Promise.all([testRedis(), createTestIssuer(), createDpopKey("ES256")]);
		token = await issuer.sign({}, { dpopKey: key });
		const prefix = `${redis.prefix}dpop:`;
		fleet = await Promise.all([
			startInstance("express", "node-redis", redis.url, prefix, issuer),
			startInstance("koa", "ioredis", redis.url, prefix, issuer),
			startInstance("fastify", "node-redis RESP2", redis.url, prefix, issuer),
		]);
	}, 60_000);

	afterAll(async () => {
		await Promise.all(fleet.map((instance) => instance.stop()));
		await issuer?.close();
		await redis?.close();
	});

	const proof = () => issuer.dpopProof({ method: "GET", url: HTU, token, key });
	const dpop = (value: string) => ({ authorization: `DPoP ${token}`, dpop: value });

	it("accepted by one instance, refused by every other (and by itself) as already used", async () => {
		for (const first of fleet) {
			const value = await proof();
			expectAccepted(await get(first, dpop(value)), key, first.name);
			for (const other of fleet)
				expectReplayed(await get(other, dpop(value)), `${first.name} then ${other.name}`);
		}
	});

	it("a fresh proof of the same key is accepted anywhere", async () => {
		for (const instance of fleet)
			expectAccepted(await get(instance, dpop(await proof())), key, instance.name);
	});

	it("the same proof sent to every instance at once: exactly one 200, every other answer replayed", async () => {
		for (let round = 0; round < 20; round += 1) {
			const value = await proof();
			const answers = await Promise.all(
				[...fleet, ...fleet].map(async (instance) => ({
					instance,
					answer: await get(instance, dpop(value)),
				})),
			);
			const accepted = answers.filter(({ answer }) => answer.status === 200);
			expect(accepted, `round ${round}`).toHaveLength(1);
			for (const { instance, answer } of answers) {
				if (answer.status === 200) expectAccepted(answer, key, instance.name);
				else expectReplayed(answer, instance.name);
			}
		}
	});
});

describe.skipIf(!run || REDIS_BINARY === undefined)("the Redis replay store with Redis down", () => {
	it("every instance answers 503 replay_check_failed, never 200, and recovers once Redis is back", async () => {
		const server = await startRedisServer(REDIS_BINARY as string);
		const issuer = await createTestIssuer();
		const key = await createDpopKey("ES256");
		const token = await issuer.sign({}, { dpopKey: key });
		const fleet: Instance[] = [];
		try {
			fleet.push(
				...(await Promise.all([
					startInstance("express", "node-redis", server.url, "down:", issuer),
					startInstance("koa", "ioredis", server.url, "down:", issuer),
					startInstance("fastify", "node-redis", server.url, "down:", issuer),
				])),
			);
			const headers = async () => ({
				authorization: `DPoP ${token}`,
				dpop: await issuer.dpopProof({ method: "GET", url: HTU, token, key }),
			});
			for (const instance of fleet) expectAccepted(await get(instance, await headers()), key, instance.name);
			await server.kill();
			for (const instance of fleet) {
				const started = performance.now();
				const answer = await get(instance, await headers());
				const waited = performance.now() - started;
				console.log(`${instance.name}: ${answer.status} after ${Math.round(waited)} ms with Redis down`);
				// The store's own timeout (1 s), not the client's (node-redis 5 s, ioredis its retries), with margin.
				expect(waited, instance.name).toBeLessThan(4000);
				expect(answer.status, `${instance.name}: ${answer.body}`).toBe(503);
				expect(answer.headers["content-type"], instance.name).toBe("application/json");
				expect(answer.headers["cache-control"], instance.name).toBe("no-store");
				expect(answer.headers["retry-after"], instance.name).toBe("1");
				expect(answer.headers["www-authenticate"], instance.name).toBeUndefined();
				expect(answer.body, instance.name).toBe(
					JSON.stringify({
						error: "temporarily_unavailable",
						message: "DPoP proof replay check is temporarily unavailable",
					}),
				);
			}
			// Redis back (empty, as one without persistence restarts): every instance accepts fresh proofs again.
			await server.restart();
			for (const instance of fleet) {
				const deadline = performance.now() + 20_000;
				for (;;) {
					const answer = await get(instance, await headers());
					if (answer.status === 200) {
						expectAccepted(answer, key, instance.name);
						break;
					}
					expect(answer.status, `${instance.name}: ${answer.body}`).toBe(503);
					if (performance.now() > deadline)
						throw new Error(`${instance.name} still answers 503 with Redis back`);
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			}
		} finally {
			await Promise.all(fleet.map((instance) => instance.stop()));
			await issuer.close();
			await server.stop();
		}
	}, 120_000);
});
