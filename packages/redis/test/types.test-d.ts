import { Cluster, Redis } from "ioredis";
import { createClient, createSentinel } from "redis";
import { describe, expectTypeOf, it } from "vitest";
import {
	createReplayStore,
	createRevocationList,
	type RedisClientLike,
	type RevocationList,
} from "../src/index.js";

describe("the clients createRevocationList and createReplayStore take", () => {
	it("accepts a node-redis client, RESP 2 or 3, with or without modules", () => {
		expectTypeOf(createClient()).toExtend<RedisClientLike>();
		expectTypeOf(createClient({ RESP: 2 })).toExtend<RedisClientLike>();
		expectTypeOf(createClient({ RESP: 3 })).toExtend<RedisClientLike>();
		expectTypeOf(createSentinel({ name: "m", sentinelRootNodes: [] })).toExtend<RedisClientLike>();
	});
	it("accepts an ioredis client and cluster", () => {
		expectTypeOf(new Redis()).toExtend<RedisClientLike>();
		expectTypeOf(new Cluster([])).toExtend<RedisClientLike>();
	});
	it("refuses anything else", () => {
		expectTypeOf<{ publish(): void }>().not.toExtend<RedisClientLike>();
	});
	it("gives isRevoked the verifier's shape, synchronous", () => {
		expectTypeOf<RevocationList["isRevoked"]>().returns.toEqualTypeOf<boolean>();
		expectTypeOf(createRevocationList).returns.resolves.toEqualTypeOf<RevocationList>();
		expectTypeOf(createReplayStore).returns.toHaveProperty("claim");
	});
});
