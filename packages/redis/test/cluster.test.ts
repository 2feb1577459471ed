/**
 * On a real Redis Cluster (three masters), with node-redis's createCluster and ioredis's Cluster: the
 * list's keys share one slot (the prefix's hash tag; the reload script, which touches all three, would
 * fail with CROSSSLOT otherwise), and revocations and replay claims made through a client connected to
 * one node reach a client connected to another.
 */
import { accessSync, constants } from "node:fs";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplayStore, createRevocationList, type RedisClientLike } from "../src/index.js";
import { type Verified, verifiedTokens, waitFor } from "./support/issuer.js";
import { canRun, REDIS_BINARY } from "./support/redis.js";
import { type RedisCluster, startRedisCluster } from "./support/redis-cluster.js";

const REDIS_CLI = REDIS_BINARY?.replace(/redis-server$/, "redis-cli");
const run = canRun("binary", "cluster.test.ts") && hasCli();

/** redis-cli, which joins the nodes into a cluster, comes with redis-server in the distributions' packages. */
function hasCli(): boolean {
	try {
		accessSync(REDIS_CLI as string, constants.X_OK);
		return true;
	} catch {
		if (process.env.CI === "true") throw new Error(`cluster.test.ts: CI=true but no ${REDIS_CLI}`);
		console.log(`skipped: cluster.test.ts: no redis-cli beside ${REDIS_BINARY}`);
		return false;
	}
}

type Connect = (port: number) => Promise<{ client: RedisClientLike; close(): void }>;
const CLIENTS: Record<string, Connect> = {
	"node-redis createCluster": async (port) => {
		const client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
		client.on("error", () => {});
		await client.connect();
		return { client, close: () => client.destroy() };
	},
	"ioredis Cluster": async (port) => {
		const client = new Cluster([{ host: "127.0.0.1", port }]);
		client.on("error", () => {});
		await new Promise((resolve) => client.once("ready", resolve));
		return { client, close: () => client.disconnect() };
	},
};

describe.skipIf(!run)("on Redis Cluster", () => {
	let cluster: RedisCluster;
	let tokens: Verified;

	beforeAll(async () => {
		cluster = await startRedisCluster(REDIS_BINARY as string, REDIS_CLI as string);
		tokens = await verifiedTokens();
	}, 30_000);
	afterAll(async () => {
		await tokens?.close();
		await cluster?.stop();
	});

	it.each(Object.keys(CLIENTS))("%s: revocations and replay claims cross nodes", async (name) => {
		const connect = CLIENTS[name] as Connect;
		const [one, other] = [
			await connect(cluster.ports[0] as number),
			await connect(cluster.ports[2] as number),
		];
		const prefix = `cluster:${name}:{revocations}:`;
		const [a, b] = [
			await createRevocationList(one.client, { prefix }),
			await createRevocationList(other.client, { prefix }),
		];
		try {
			const auth = await tokens.auth();
			await a.revoke(auth.claims);
			expect(await waitFor(() => b.isRevoked(auth), 1000)).toBeLessThan(250); // the contract's 100 ms, with margin for a loaded machine
			await b.revokeSubject("user_cluster", { before: new Date() });
			const subject = await tokens.auth({ sub: "user_cluster", iat: Math.floor(Date.now() / 1000) - 5 });
			await waitFor(() => a.isRevoked(subject), 1000);
			const late = await createRevocationList(other.client, { prefix });
			expect([late.isRevoked(auth), late.isRevoked(subject)]).toEqual([true, true]);
			await late.close();

			const expiresAt = new Date(Date.now() + 60_000);
			const claims = await Promise.all([
				createReplayStore(one.client).claim(`proof-${name}`, expiresAt),
				createReplayStore(other.client).claim(`proof-${name}`, expiresAt),
			]);
			expect(claims.filter(Boolean)).toHaveLength(1);
		} finally {
			await Promise.all([a.close(), b.close()]);
			one.close();
			other.close();
		}
	});
});
