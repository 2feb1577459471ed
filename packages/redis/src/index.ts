/**
 * `@bearerguard/redis`: fleet state on Redis. A revocation list whose every instance keeps a local
 * mirror, current through pub/sub (`createRevocationList`), and a DPoP replay store
 * (`createReplayStore`), for the official `redis` client or `ioredis`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createReplayStore, createRevocationList } from '@bearerguard/redis'
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect()
 * const revocations = await createRevocationList(client)
 * app.use(requireAuth({ isRevoked: revocations.isRevoked }))
 * const replay = createReplayStore(client)
 * ```
 *
 * @packageDocumentation
 */
export type { RedisClientLike } from "./driver.js";
export type { IoRedisClient, IoRedisSubscriber } from "./drivers/ioredis.js";
export type { NodeRedisClient, NodeRedisSubscriber } from "./drivers/node-redis.js";
export { RevocationUnavailableError, type RevocationUnavailableReason } from "./errors.js";
export type { MirrorCounts } from "./mirror.js";
export { DEFAULT_REVOCATION_PREFIX, type RevocationListOptions } from "./options.js";
export {
	createReplayStore,
	type RedisReplayStore,
	type ReplayStore,
	type ReplayStoreOptions,
} from "./replay-store.js";
export {
	type CutOff,
	createRevocationList,
	type RevocationList,
	type RevocationListStatus,
	type TokenToRevoke,
} from "./revocation-list.js";
