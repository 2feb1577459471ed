import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

/** A CPU profiler of this process that records only between `start()` and `stop()`. */
export interface Profiler {
	start(): Promise<void>;
	/** Stops and writes the `.cpuprofile` (for Chrome DevTools); nothing if never started. */
	stop(): Promise<void>;
}

/** Unlike `node --cpu-prof`, this leaves start-up and warm-up out of the profile. */
export function createProfiler(file: string): Profiler {
	const session = new Session();
	session.connect();
	let running = false;
	return {
		async start() {
			await session.post("Profiler.enable");
			await session.post("Profiler.start");
			running = true;
		},
		async stop() {
			if (!running) return;
			running = false;
			const { profile } = await session.post("Profiler.stop");
			await writeFile(file, JSON.stringify(profile));
		},
	};
}
