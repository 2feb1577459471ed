import type { Driver } from "./driver.js";
import { encodeRevocation, formatTime, MAX_ID_LENGTH, parseTime } from "./messages.js";
import type { Revocation, RevocationKind } from "./mirror.js";

/**
 * The list in Redis: one sorted set per kind, the member the ID and the score the time (ms): a
 * token's expiry (plus the clock tolerance), or a cut-off's `before`. Expired entries are cut off the
 * low end of each set by score; a full reload is three `ZRANGE`s in one script. Every key shares the
 * prefix's `{hash tag}`, so on Redis Cluster they live in one slot and the scripts may touch them all.
 */

// Adds (the later time wins), prunes the set, and publishes the revocation, atomically: a revocation
// is never in Redis without its message having gone out, nor the other way round.
const WRITE = `
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
if ARGV[3] ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

// Prunes the three sets; returns every live entry (ARGV[3] = 'read') or the three sizes.
const PRUNE_AND_READ = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
if ARGV[2] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2])
end
if ARGV[3] ~= 'read' then
  return { redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]) }
end
return {
  redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'),
  redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES'),
  redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
}
`;

const KINDS: readonly RevocationKind[] = ["token", "subject", "client"];

/** The Redis names of a list: its three sorted sets and its channel. */
export interface StoreNames {
	readonly keys: readonly [tokens: string, subjects: string, clients: string];
	readonly channel: string;
}

export function storeNames(prefix: string): StoreNames {
	return {
		keys: [`${prefix}tokens`, `${prefix}subjects`, `${prefix}clients`],
		channel: `${prefix}events`,
	};
}

/** Reads and writes one list's sorted sets. `maxTokenLifetimeMs` is `Infinity` when cut-offs are kept. */
export class RevocationStore {
	readonly names: StoreNames;
	readonly #driver: Driver;
	readonly #maxTokenLifetimeMs: number;

	constructor(driver: Driver, names: StoreNames, maxTokenLifetimeMs: number) {
		this.#driver = driver;
		this.names = names;
		this.#maxTokenLifetimeMs = maxTokenLifetimeMs;
	}

	/** Stores one revocation and publishes it; resolves once Redis holds it. */
	async write(revocation: Revocation, nowMs: number): Promise<void> {
		const index = KINDS.indexOf(revocation.kind);
		const prune = revocation.kind === "token" ? formatTime(nowMs) : this.#cutOffPruneBound(nowMs);
		await this.#driver.eval(
			WRITE,
			[this.names.keys[index] as string],
			[revocation.id, formatTime(revocation.time), prune, this.names.channel, encodeRevocation(revocation)],
		);
	}

	/** Drops what has expired, then returns every live revocation. */
	async readAll(nowMs: number): Promise<Revocation[]> {
		const reply = await this.#pruneAndRead(nowMs, "read");
		if (!Array.isArray(reply) || reply.length !== 3) throw new Error("unexpected reply to the reload script");
		const revocations: Revocation[] = [];
		reply.forEach((flat: unknown, index) => {
			if (!Array.isArray(flat)) throw new Error("unexpected reply to the reload script");
			const kind = KINDS[index] as RevocationKind;
			for (let i = 0; i + 1 < flat.length; i += 2) {
				const id = String(flat[i]);
				const time = parseTime(String(flat[i + 1]));
				// An entry written by hand that no message could carry is skipped, as a message would be.
				if (time !== undefined && id.length > 0 && id.length <= MAX_ID_LENGTH) {
					revocations.push({ kind, id, time });
				}
			}
		});
		return revocations;
	}

	/** Drops what has expired; returns how many entries of each kind are left. */
	async prune(nowMs: number): Promise<number[]> {
		const reply = await this.#pruneAndRead(nowMs, "count");
		return Array.isArray(reply) ? reply.map(Number) : [];
	}

	#pruneAndRead(nowMs: number, mode: "read" | "count"): Promise<unknown> {
		return this.#driver.eval(
			PRUNE_AND_READ,
			[...this.names.keys],
			[formatTime(nowMs), this.#cutOffPruneBound(nowMs), mode],
		);
	}

	/** Cut-offs with `before` under this bound cover only expired tokens; `''` when they are kept. */
	#cutOffPruneBound(nowMs: number): string {
		return Number.isFinite(this.#maxTokenLifetimeMs) ? formatTime(nowMs - this.#maxTokenLifetimeMs) : "";
	}
}
