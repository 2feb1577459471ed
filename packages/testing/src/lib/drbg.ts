import { createHmac } from "node:crypto";

/** A deterministic stream of pseudo-random bytes. */
export interface Drbg {
	/** The next `length` bytes of the stream. */
	bytes(length: number): Buffer;
}

/**
 * A deterministic random bit generator: HMAC-SHA-256 in counter mode, keyed by the seed, over
 * `label || 0x00 || counter` (counter a 32-bit big-endian block number). The same seed and label
 * give the same stream in every process and on every platform; different labels give
 * independent streams. For test keys only: a seed is not a secret.
 *
 * @example
 * ```ts
 * const drbg = createDrbg("my-test-seed", "keys/0/RS256");
 * const first = drbg.bytes(32);
 * ```
 */
export function createDrbg(seed: string, label: string): Drbg {
	const prefix = Buffer.concat([Buffer.from(label, "utf8"), Buffer.from([0])]);
	let counter = 0;
	let pool: Buffer = Buffer.alloc(0);
	const nextBlock = (): Buffer => {
		const block = Buffer.alloc(4);
		block.writeUInt32BE(counter++);
		return createHmac("sha256", seed).update(prefix).update(block).digest();
	};
	return {
		bytes(length) {
			const blocks = [pool];
			let available = pool.length;
			while (available < length) {
				const block = nextBlock();
				blocks.push(block);
				available += block.length;
			}
			const all = Buffer.concat(blocks);
			pool = all.subarray(length);
			return all.subarray(0, length);
		},
	};
}
