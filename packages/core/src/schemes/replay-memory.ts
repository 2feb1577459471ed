/**
 * The default replay store of DPoP proofs: in this process's memory, bounded in entries. Entries expire
 * with their proofs' window. When it is full, it forgets its oldest entry and from then on refuses every
 * proof whose window ends no later than the forgotten one's (its "horizon"): memory stays bounded, and no
 * proof it forgot can be replayed. Under more traffic than it can remember for a whole window, the
 * effective window shrinks (at 100,000 entries and 300 s, beyond 333 proofs a second), never the safety.
 */
import type { ReplayStore } from "../credential-types.js";

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
	/** The most keys held. Default 100,000 (about 15 MiB with UUID `jti`s). */
	max?: number;
}

/** The in-memory store, with its size for tests and metrics. */
export interface MemoryReplayStore extends ReplayStore {
	/** `true` the first time `key` is claimed before `expiresAt`; `false` after, or when it is past the horizon. */
	claim(key: string, expiresAt: Date): boolean;
	/** How many keys it holds now (expired ones included until they are forgotten). */
	readonly size: number;
	/**
	 * The end (milliseconds since the epoch) of the latest window among the keys it had to forget while
	 * full, or 0: a claim whose `expiresAt` is not after it is refused.
	 */
	readonly horizon: number;
}

/**
 * Creates a replay store in this process's memory: what `dpop.replay` is by default. A key claimed here
 * is not seen by other instances: on a fleet, use `createReplayStore(client)` of `@bearerguard/redis`.
 *
 * @example
 * ```ts
 * const replay = createMemoryReplayStore({ max: 10_000 })
 * replay.claim('k', new Date(Date.now() + 60_000)) // true, then false
 * ```
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): MemoryReplayStore {
	const max = options.max ?? 100_000;
	if (!Number.isInteger(max) || max < 1) {
		throw new TypeError("bearerguard: replay store max must be a whole number >= 1.");
	}
	// Insertion order is claim order: the first key is the one to forget.
	const keys = new Map<string, number>();
	let horizon = 0;

	return {
		claim(key: string, expiresAt: Date): boolean {
			const until = expiresAt.getTime();
			if (!(until > horizon)) return false;
			const held = keys.get(key);
			if (held !== undefined) {
				if (held > Date.now()) return false;
				keys.delete(key);
			}
			if (keys.size >= max) {
				const [oldest, oldestUntil] = keys.entries().next().value as [string, number];
				// Refused without forgetting anything when forgetting the oldest would refuse it anyway.
				if (!(until > oldestUntil)) return false;
				keys.delete(oldest);
				if (oldestUntil > horizon) horizon = oldestUntil;
			}
			keys.set(key, until);
			return true;
		},
		get size() {
			return keys.size;
		},
		get horizon() {
			return horizon;
		},
	};
}
