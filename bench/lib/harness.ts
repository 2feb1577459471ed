import { performance } from "node:perf_hooks";

/** How long one timed run lasts, how many runs are kept, and the warm-up before them. */
export interface HarnessOptions {
	/** Milliseconds per timed run. */
	readonly runMs: number;
	/** Timed runs; the median is reported. */
	readonly runs: number;
	/** Milliseconds of untimed warm-up (lets the JIT settle). */
	readonly warmupMs: number;
}

/** One measured case: the median and every run, in operations per second. */
export interface Measurement {
	readonly opsPerSec: number;
	readonly runs: number[];
}

/** Iterations between two clock reads: small enough for slow ops, large enough to hide the clock. */
const BATCH = 32;

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 === 1
		? (sorted[middle] as number)
		: ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Calls `fn` in batches until `ms` have passed; returns operations per second. */
function timeSync(fn: () => unknown, ms: number): number {
	let count = 0;
	const start = performance.now();
	const end = start + ms;
	let now = start;
	while (now < end) {
		for (let i = 0; i < BATCH; i++) fn();
		count += BATCH;
		now = performance.now();
	}
	return (count * 1000) / (now - start);
}

/** Awaits `fn` in sequence (one operation in flight) until `ms` have passed. */
async function timeAsync(fn: () => Promise<unknown>, ms: number): Promise<number> {
	let count = 0;
	const start = performance.now();
	const end = start + ms;
	let now = start;
	while (now < end) {
		for (let i = 0; i < BATCH; i++) await fn();
		count += BATCH;
		now = performance.now();
	}
	return (count * 1000) / (now - start);
}

/** Warms up, then runs `fn` `options.runs` times for `options.runMs` each; the median is the result. */
export function measureSync(fn: () => unknown, options: HarnessOptions): Measurement {
	timeSync(fn, options.warmupMs);
	const runs: number[] = [];
	for (let i = 0; i < options.runs; i++) runs.push(timeSync(fn, options.runMs));
	return { opsPerSec: median(runs), runs };
}

/** As {@link measureSync}, for an operation that returns a promise (awaited one at a time). */
export async function measureAsync(
	fn: () => Promise<unknown>,
	options: HarnessOptions,
): Promise<Measurement> {
	await timeAsync(fn, options.warmupMs);
	const runs: number[] = [];
	for (let i = 0; i < options.runs; i++) runs.push(await timeAsync(fn, options.runMs));
	return { opsPerSec: median(runs), runs };
}
