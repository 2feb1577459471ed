/**
 * The default replay store of DPoP proofs: in this process's memory, bounded in entries. Entries expire
 * with their proofs' window. When it is full of live entries it refuses to claim (the request gets the
 * 503), rather than forget a proof that could then be replayed.
 */
import type { ReplayStore } from "../credential-types.js";

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
	/** The most live keys held. Default 100,000 (about 10 MiB). */
	max?: number;
}

/** The in-memory store, with its size for tests and metrics. */
export interface MemoryReplayStore extends ReplayStore {
	/** `true` the first time `key` is claimed before `expiresAt`; throws when full of live keys. */
	claim(key: string, expiresAt: Date): boolean;
	/** How many keys it holds now (expired ones included until the next sweep). */
	readonly size: number;
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
	if (!Number.isInteger(max) || max < 1)
		throw new TypeError("bearerguard: replay store max must be a whole number >= 1.");
	const keys = new Map<string, number>();
	let sweptAt = 0;

	/** Drops expired keys; at most once a second, so a full store of live keys costs no scan per request. */
	function sweep(now: number): void {
		if (now - sweptAt < 1000) return;
		sweptAt = now;
		for (const [key, until] of keys) if (until <= now) keys.delete(key);
	}

	return {
		claim(key: string, expiresAt: Date): boolean {
			const now = Date.now();
			const until = keys.get(key);
			if (until !== undefined) {
				if (until > now) return false;
				keys.delete(key);
			}
			if (keys.size >= max) {
				sweep(now);
				if (keys.size >= max) throw new Error(`the in-memory DPoP replay store holds ${max} live proofs`);
			}
			keys.set(key, expiresAt.getTime());
			return true;
		},
		get size() {
			return keys.size;
		},
	};
}
