/**
 * Test helpers run as processes of their own: `node --conditions=source --import tsx <file>` (workspace
 * packages from their sources, as in the tests), read line by line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The repository root: where `tsx` resolves from. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Every child still running: killed when the test process exits, however it exits. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
	for (const child of running) child.kill("SIGKILL");
});

export interface Child {
	readonly process: ChildProcess;
	/** The next line the child prints on stdout (rejects if it exits first or stays silent 20 s). */
	line(): Promise<string>;
	write(line: string): void;
	/** SIGTERM, then SIGKILL after 3 s; resolves once it is gone. */
	stop(): Promise<void>;
}

export function spawnTs(file: string, args: string[], env: Record<string, string> = {}): Child {
	const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", file, ...args], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: ["pipe", "pipe", "inherit"],
	});
	running.add(child);
	child.once("exit", () => running.delete(child));
	const queued: string[] = [];
	const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
	createInterface({ input: child.stdout! }).on("line", (line) => {
		const next = waiting.shift();
		if (next) next.resolve(line);
		else queued.push(line);
	});
	child.once("exit", (code, signal) => {
		for (const { reject } of waiting.splice(0)) reject(new Error(`${file} exited (${signal ?? code})`));
	});
	return {
		process: child,
		line() {
			const ready = queued.shift();
			if (ready !== undefined) return Promise.resolve(ready);
			if (child.exitCode !== null) return Promise.reject(new Error(`${file} has exited`));
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`${file} printed nothing for 20 s`)), 20_000);
				waiting.push({
					resolve: (line) => {
						clearTimeout(timer);
						resolve(line);
					},
					reject: (error) => {
						clearTimeout(timer);
						reject(error);
					},
				});
			});
		},
		write: (line) => child.stdin?.write(`${line}\n`),
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = once(child, "exit");
			child.kill("SIGTERM");
			const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
			await exited;
			clearTimeout(timer);
		},
	};
}
