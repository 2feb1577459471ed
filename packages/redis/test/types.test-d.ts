import type { ReplayStore as CoreReplayStore, DpopOptions } from "@bearerguard/core";
import { Cluster, Redis } from "ioredis";
import { createClient, createSentinel } from "redis";
import { describe, expectTypeOf, it } from "vitest";
import {
	createReplayStore,
	createRevocationList,
	type RedisClientLike,
	type RedisReplayStore,
	type ReplayStore,
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

describe("the replay store and the verifier's dpop.replay", () => {
	it("createReplayStore's store is what dpop.replay takes", () => {
		expectTypeOf(createReplayStore).returns.toEqualTypeOf<RedisReplayStore>();
		expectTypeOf<RedisReplayStore>().toExtend<NonNullable<DpopOptions["replay"]>>();
		expectTypeOf<ReplayStore>().toExtend<NonNullable<DpopOptions["replay"]>>();
		const options: DpopOptions = { replay: createReplayStore(createClient()) };
		expectTypeOf(options.replay).toExtend<CoreReplayStore | undefined>();
	});
	it("the package's ReplayStore is core's, both ways", () => {
		expectTypeOf<ReplayStore>().toEqualTypeOf<CoreReplayStore>();
		expectTypeOf<CoreReplayStore>().toExtend<ReplayStore>();
	});
	it("claim answers a promise of a boolean, with the key and expiresAt of core's store", () => {
		expectTypeOf<RedisReplayStore["claim"]>().parameters.toEqualTypeOf<
			Parameters<CoreReplayStore["claim"]>
		>();
		expectTypeOf<RedisReplayStore["claim"]>().returns.toEqualTypeOf<Promise<boolean>>();
	});
});
