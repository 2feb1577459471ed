/**
 * A map from an ID to a time (ms) that only grows, whose entries are dropped `lifetimeMs` after their
 * time. Expiry costs O(expired): IDs are also filed in buckets by the second they expire in, and a
 * sweep empties the buckets of the seconds gone by. An ID filed twice (its time grew) is dropped only
 * once its latest time has expired.
 */
export class ExpiringMap {
	/** ID → time (ms): a jti's expiry, or a cut-off's `before`. Read directly on the hot path. */
	readonly times = new Map<string, number>();
	readonly #lifetimeMs: number;
	readonly #buckets = new Map<number, string[]>();
	#sweptUntil: number;

	/** `lifetimeMs`: how long after its time an entry lives (`0`: until its time; `Infinity`: forever). */
	constructor(lifetimeMs: number, nowMs: number) {
		this.#lifetimeMs = lifetimeMs;
		this.#sweptUntil = Math.floor(nowMs / 1000);
	}

	get size(): number {
		return this.times.size;
	}

	/** Whether `time` is already over, so an entry at that time would be dropped at once. */
	expired(time: number, nowMs: number): boolean {
		return time + this.#lifetimeMs <= nowMs;
	}

	/**
	 * Records `id` at `time` unless it already has a later one. Returns whether the map holds a new ID
	 * (so the caller can count entries); `false` when it was known already.
	 */
	set(id: string, time: number): boolean {
		const known = this.times.get(id);
		if (known !== undefined && known >= time) return false;
		this.times.set(id, time);
		const dropAt = time + this.#lifetimeMs;
		if (Number.isFinite(dropAt)) {
			// An entry lives to the end of the second it expires in: never shorter than asked.
			const second = Math.max(Math.floor(dropAt / 1000), this.#sweptUntil);
			const bucket = this.#buckets.get(second);
			if (bucket === undefined) this.#buckets.set(second, [id]);
			else bucket.push(id);
		}
		return known === undefined;
	}

	/** Drops every entry whose second of expiry has passed. Returns how many were dropped. */
	sweep(nowMs: number): number {
		const until = Math.floor(nowMs / 1000);
		let dropped = 0;
		const drop = (second: number) => {
			const bucket = this.#buckets.get(second);
			if (bucket === undefined) return;
			this.#buckets.delete(second);
			for (const id of bucket) {
				const time = this.times.get(id);
				if (time !== undefined && time + this.#lifetimeMs < (second + 1) * 1000) {
					this.times.delete(id);
					dropped++;
				}
			}
		};
		if (until - this.#sweptUntil > this.#buckets.size) {
			// A long gap (a suspended process): visit the buckets rather than every second.
			for (const second of [...this.#buckets.keys()]) if (second < until) drop(second);
		} else {
			for (let second = this.#sweptUntil; second < until; second++) drop(second);
		}
		this.#sweptUntil = Math.max(this.#sweptUntil, until);
		return dropped;
	}

	clear(): void {
		this.times.clear();
		this.#buckets.clear();
	}
}
