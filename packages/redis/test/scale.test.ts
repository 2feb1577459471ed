/**
 * Many revocations: 100,000 made by another process, held by this one's mirror in bounded memory and
 * expiring with their tokens, in the mirror and in Redis; beyond `maxEntries`, the list fails closed
 * rather than forget a live revocation, and recovers once entries expire.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRevocationList, type RevocationList, RevocationUnavailableError } from "../src/index.js";
import { spawnTs } from "./support/child.js";
import { nowSeconds, waitFor } from "./support/issuer.js";
import {
	canRun,
	connectClient,
	rawClient,
	type TestClient,
	type TestRedis,
	testRedis,
} from "./support/redis.js";

const run = canRun("any", "scale.test.ts");
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapUsed(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

/** `{ claims }` is all `isRevoked` reads of an `auth`. */
const withJti = (jti: string) =>
	({ claims: { jti } }) as unknown as Parameters<RevocationList["isRevoked"]>[0];

describe.skipIf(!run)("many revocations", () => {
	let redis: TestRedis;
	const clients: TestClient[] = [];
	const lists: RevocationList[] = [];

	beforeAll(async () => {
		redis = await testRedis();
	});
	afterAll(async () => {
		await Promise.all(lists.map((list) => list.close()));
		for (const client of clients) client.close();
		await redis?.close();
	});

	async function list(prefix: string, options = {}) {
		const client = await connectClient(redis.url, "node-redis");
		clients.push(client);
		const created = await createRevocationList(client.client, { prefix, clockTolerance: 0, ...options });
		lists.push(created);
		return created;
	}

	/** Revokes `count` jtis `<jtiPrefix>0...` from another process; resolves how long it took (ms). */
	async function revokeElsewhere(prefix: string, count: number, exp: number, jtiPrefix: string) {
		const args = [redis.url, prefix, String(count), String(exp), jtiPrefix];
		const child = spawnTs(join(import.meta.dirname, "support/revoker.ts"), args);
		try {
			return (JSON.parse(await child.line()) as { ms: number }).ms;
		} finally {
			await child.stop();
		}
	}

	it("100,000 revocations from another process: all held, in bounded memory, all expiring", async () => {
		const prefix = `${redis.prefix}scale:`;
		const mirror = await list(prefix);
		const count = 100_000;
		const before = heapUsed();
		const exp = nowSeconds() + 20;
		const ms = await revokeElsewhere(prefix, count, exp, "jti-");
		await waitFor(() => mirror.status().entries.tokens === count, 20_000);
		const held = heapUsed() - before;
		console.log(
			`[scale] ${count.toLocaleString("en")} revocations made in ${ms} ms by another process; ` +
				`this mirror holds them in ${(held / 2 ** 20).toFixed(1)} MiB of heap (${Math.round(held / count)} bytes each)`,
		);
		expect(held).toBeLessThan(40 * 2 ** 20);
		for (const i of [0, 1, 50_000, 99_999]) expect(mirror.isRevoked(withJti(`jti-${i}`))).toBe(true);
		expect(mirror.isRevoked(withJti("jti-100000"))).toBe(false);
		expect(mirror.status()).toMatchObject({ state: "current", answering: true });

		// Past their exp, they go: from the mirror, and from Redis.
		await waitFor(() => mirror.status().entries.tokens === 0, (exp + 5) * 1000 - Date.now());
		const client = await rawClient(redis.url);
		let left = await client.zCard(`${prefix}tokens`);
		for (let i = 0; i < 100 && left > 0; i++) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			left = await client.zCard(`${prefix}tokens`);
		}
		client.destroy();
		expect(left).toBe(0);
		const after = heapUsed() - before;
		console.log(`[scale] after expiry: ${(after / 2 ** 20).toFixed(1)} MiB above the start`);
		expect(after).toBeLessThan(5 * 2 ** 20);
	}, 90_000);

	it("beyond maxEntries it fails closed instead of forgetting, and recovers once entries expire", async () => {
		const prefix = `${redis.prefix}overflow:${randomUUID()}:`;
		const bounded = await list(prefix, { maxEntries: 1000 });
		const boundedOpen = await list(prefix, { maxEntries: 1000, failOpen: true });
		const writer = await list(prefix);
		await Promise.all(
			Array.from({ length: 1000 }, (_, i) => writer.revoke({ jti: `soon-${i}`, exp: nowSeconds() + 2 })),
		);
		await waitFor(() => bounded.status().entries.tokens === 1000);
		expect(bounded.status().state).toBe("current");
		await writer.revoke({ jti: "late", exp: nowSeconds() + 120 });
		await waitFor(() => bounded.status().state === "incomplete");
		expect(() => bounded.isRevoked(withJti("anything"))).toThrow(
			new RevocationUnavailableError("incomplete"),
		);
		expect(bounded.status()).toMatchObject({ answering: false, entries: { tokens: 1000 } });
		// failOpen answers from what it holds, which lacks the one that did not fit.
		expect(boundedOpen.status()).toMatchObject({ state: "incomplete", answering: true });
		expect(boundedOpen.isRevoked(withJti("soon-0"))).toBe(true);
		expect(boundedOpen.isRevoked(withJti("late"))).toBe(false);

		// A new instance finding more live revocations in Redis than it may hold starts incomplete.
		const small = await list(prefix, { maxEntries: 500 });
		expect(small.status()).toMatchObject({ state: "incomplete", answering: false });

		// The 1,000 expire; the mirror has room again, reloads, and holds the one it had to refuse.
		await waitFor(() => bounded.status().state === "current", 15_000);
		expect(bounded.isRevoked(withJti("late"))).toBe(true);
		expect(bounded.isRevoked(withJti("soon-0"))).toBe(false);
		expect(bounded.status().entries.tokens).toBe(1);
		await waitFor(() => boundedOpen.isRevoked(withJti("late")), 15_000);
	}, 60_000);
});
