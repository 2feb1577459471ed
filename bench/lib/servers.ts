import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { pinning } from "./pinning.js";

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(BENCH);
const SERVER = join(BENCH, "server.ts");

/** A benchmark server running in its own process (see server.ts for the line protocol). */
export interface ServerProcess {
	readonly label: string;
	readonly port: number;
	/** Starts the server's CPU profile (it needs BENCH_CPU_PROFILE in its environment). */
	startProfile(): void;
	/** CPU time the server process has used so far (user + system, every thread), in microseconds. */
	cpuMicros(): Promise<number>;
	/** SIGTERM (the server exits normally, writing its CPU profile if it records one), SIGKILL after 5 s. */
	stop(): Promise<void>;
}

/** Every child still running: killed when this process exits, however it exits. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
	for (const child of running) child.kill("SIGKILL");
});

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = once(child, "exit");
	child.kill("SIGTERM");
	const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
	await exited;
	clearTimeout(timer);
}

/** Reads the child's stdout a JSON line at a time; fails when the child exits or stays silent for 30 s. */
function replies(child: ChildProcess, label: string): () => Promise<Record<string, unknown>> {
	const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
	const lines = createInterface({ input: child.stdout! });
	lines.on("line", (line) => waiting.shift()?.resolve(line));
	child.once("exit", (code, signal) => {
		for (const { reject } of waiting.splice(0))
			reject(new Error(`bench: server ${label} exited (${signal ?? code})`));
	});
	return () =>
		new Promise<string>((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`bench: server ${label} did not answer within 30 s`)),
				30_000,
			);
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
		}).then((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Starts `bench/server.ts <framework> <variant>` (or another server `script` of the same line protocol)
 * in a new Node process with `env` added to ours, pinned to its core when the machine allows (see
 * pinning.ts), and resolves once it listens.
 */
export async function startServer(
	framework: string,
	variant: string,
	env: Record<string, string>,
	script: string = SERVER,
): Promise<ServerProcess> {
	const label = `${framework}/${variant}`;
	const { file, args } = pinning().command(["--import", "tsx", script, framework, variant]);
	const child = spawn(file, args, {
		cwd: ROOT,
		env: { ...process.env, ...env },
		// stdin stays open: the server exits when it closes, so it cannot outlive us.
		stdio: ["pipe", "pipe", "inherit"],
	});
	running.add(child);
	child.once("exit", () => running.delete(child));
	const nextReply = replies(child, label);
	try {
		const { port } = await nextReply();
		if (typeof port !== "number") throw new Error(`bench: server ${label} printed no port`);
		return {
			label,
			port,
			startProfile: () => child.stdin?.write("profile\n"),
			async cpuMicros() {
				const reply = nextReply();
				child.stdin?.write("cpu\n");
				const { cpu } = (await reply) as { cpu: { user: number; system: number } };
				return cpu.user + cpu.system;
			},
			stop: () => stopChild(child),
		};
	} catch (error) {
		await stopChild(child);
		throw error;
	}
}
