import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/**
 * Where the processes of the HTTP benchmark run. On a machine with few cores, a server and its load
 * generator that the scheduler moves around disturb each other: one run's server shares a core with
 * autocannon, the next one has a core to itself. With `taskset` (Linux util-linux) and at least two
 * cores, every server is pinned to the last core and this process (autocannon) to the others, so each
 * variant gets the same share of the machine. A peer that uses libuv's thread pool (jose's WebCrypto
 * RSA in express-oauth2-jwt-bearer) then runs it on the server's core too, as on a busy server.
 * BENCH_PIN=0 turns it off.
 */
export interface Pinning {
	/** Whether servers are pinned (taskset found, two cores or more, not turned off). */
	readonly pinned: boolean;
	/** The core of every server. */
	readonly serverCore: number | undefined;
	/** The command and arguments that start a server process. */
	command(argv: readonly string[]): { file: string; args: string[] };
}

function hasTaskset(): boolean {
	try {
		execFileSync("taskset", ["--version"], { stdio: "ignore" });
		return true;
	} catch {
		return false;
	}
}

let chosen: Pinning | undefined;

/** Decides once, and pins this process (every thread) to the cores the servers do not use. */
export function pinning(): Pinning {
	if (chosen) return chosen;
	const cores = availableParallelism();
	if (process.env.BENCH_PIN === "0" || cores < 2 || !hasTaskset()) {
		chosen = {
			pinned: false,
			serverCore: undefined,
			command: (argv) => ({ file: process.execPath, args: [...argv] }),
		};
		return chosen;
	}
	const serverCore = cores - 1;
	execFileSync("taskset", ["-a", "-cp", `0-${serverCore - 1}`, String(process.pid)], { stdio: "ignore" });
	chosen = {
		pinned: true,
		serverCore,
		command: (argv) => ({ file: "taskset", args: ["-c", String(serverCore), process.execPath, ...argv] }),
	};
	return chosen;
}
