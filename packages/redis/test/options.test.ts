import { describe, expect, it } from "vitest";
import { createRevocationList } from "../src/index.js";
import { resolveListOptions } from "../src/options.js";

describe("resolveListOptions", () => {
	it("has the documented defaults", () => {
		expect(resolveListOptions(undefined)).toEqual({
			maxStalenessMs: 30_000,
			failOpen: false,
			prefix: "bearerguard:{revocations}:",
			maxEntries: 1_000_000,
			clockToleranceMs: 60_000,
			maxTokenLifetimeMs: Number.POSITIVE_INFINITY,
			heartbeatMs: 1000,
		});
	});

	it("takes durations as seconds or strings; the heartbeat is a quarter of maxStaleness, 25 ms to 1 s", () => {
		expect(
			resolveListOptions({ maxStaleness: "2s", clockTolerance: 5, maxTokenLifetime: "24h" }),
		).toMatchObject({
			maxStalenessMs: 2000,
			heartbeatMs: 500,
			clockToleranceMs: 5000,
			maxTokenLifetimeMs: 86_400_000,
		});
		expect(resolveListOptions({ maxStaleness: "100ms" }).heartbeatMs).toBe(25);
	});

	it.each([
		[{ maxStaleness: "soon" }, `"maxStaleness" must be a number of seconds (>= 0) or a string such as '30s'`],
		[{ maxStaleness: 0.05 }, `@bearerguard/redis: "maxStaleness" must be at least 100 ms, such as '30s'.`],
		[{ failOpen: "yes" }, `@bearerguard/redis: "failOpen" must be true or false.`],
		[
			{ maxEntries: 0 },
			`@bearerguard/redis: "maxEntries" must be a whole number of at least 1, such as 1000000.`,
		],
		[{ maxEntries: 1.5 }, `"maxEntries" must be a whole number`],
		[{ maxTokenLifetime: 0 }, `@bearerguard/redis: "maxTokenLifetime" must be at least 1 s, such as '24h'.`],
		[{ clockTolerance: -1 }, `"clockTolerance" must be a number of seconds (>= 0)`],
		[{ prefix: "" }, `@bearerguard/redis: "prefix" must be a non-empty string of at most 200 characters`],
		[{ prefix: 7 }, `"prefix" must be a non-empty string`],
	])("refuses %o with a TypeError that says what to fix", (options, message) => {
		expect(() => resolveListOptions(options as never)).toThrow(TypeError);
		expect(() => resolveListOptions(options as never)).toThrow(message);
	});

	it("refuses options that are not an object", () => {
		expect(() => resolveListOptions("30s" as never)).toThrow(
			new TypeError("@bearerguard/redis: the options of createRevocationList must be an object."),
		);
	});
});

describe("createRevocationList checks what it is given before touching Redis", () => {
	it("refuses something that is not a Redis client", async () => {
		await expect(createRevocationList({} as never)).rejects.toThrow(
			new TypeError(
				"@bearerguard/redis: createRevocationList needs a Redis client: pass a connected client of the `redis` package (await createClient().connect()) or of `ioredis` (new Redis()).",
			),
		);
	});

	it("refuses a node-redis client that is not connected, and an ioredis one that was closed", async () => {
		const { createClient } = await import("redis");
		await expect(createRevocationList(createClient())).rejects.toThrow(
			new TypeError(
				"@bearerguard/redis: createRevocationList got a client that is not connected: await client.connect() first.",
			),
		);
		const { Redis } = await import("ioredis");
		const closed = new Redis({ lazyConnect: true });
		closed.disconnect();
		await expect(createRevocationList(closed)).rejects.toThrow(
			"createRevocationList got an ioredis client that was closed: pass a connected one.",
		);
	});

	it("checks the options before the client", async () => {
		await expect(createRevocationList({} as never, { maxEntries: -1 })).rejects.toThrow('"maxEntries"');
	});
});
