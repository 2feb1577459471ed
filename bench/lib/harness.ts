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

/** One case to time: a function, and whether it returns a promise (awaited one call at a time). */
export interface TimedCase {
	readonly run: () => unknown;
	readonly async: boolean;
	/** Runs before each of its timed runs (and its warm-up), untimed: e.g. subscribe a listener. */
	readonly before?: () => void;
	/** Runs after each of its timed runs, untimed: undoes `before`. */
	readonly after?: () => void;
}

/**
 * Warms every case up, then times them in turn, round after round (A B C A B C ...), `options.runs`
 * rounds of `options.runMs` each: a slow spell of a busy machine then hits every case of a round alike,
 * and ratios taken within a round (see {@link ratioOfRuns}) cancel it. Each case's result is its median.
 */
export async function measureInterleaved(
	cases: readonly TimedCase[],
	options: HarnessOptions,
): Promise<Measurement[]> {
	const time = async (timed: TimedCase, ms: number) => {
		timed.before?.();
		try {
			return timed.async ? await timeAsync(timed.run as () => Promise<unknown>, ms) : timeSync(timed.run, ms);
		} finally {
			timed.after?.();
		}
	};
	for (const timed of cases) await time(timed, options.warmupMs);
	const runs: number[][] = cases.map(() => []);
	for (let round = 0; round < options.runs; round++) {
		for (const [index, timed] of cases.entries()) runs[index]?.push(await time(timed, options.runMs));
	}
	return runs.map((own) => ({ opsPerSec: median(own), runs: own }));
}

/** The median, over the rounds, of `measured / baseline` in the same round. */
export function ratioOfRuns(measured: Measurement, baseline: Measurement): number {
	return median(measured.runs.map((ops, round) => ops / (baseline.runs[round] as number)));
}
