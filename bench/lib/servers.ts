import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(BENCH);
const SERVER = join(BENCH, "server.ts");

/** A benchmark server running in its own process. */
export interface ServerProcess {
	readonly label: string;
	readonly port: number;
	readonly pid: number;
	/** Writes one line to the server's stdin (`profile` starts its CPU profile, see server.ts). */
	send(line: string): void;
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

/** The first stdout line of the child, `{"port":N}`; fails if the child exits or is silent for 30 s. */
function readPort(child: ChildProcess, label: string): Promise<number> {
	return new Promise<number>((resolve, reject) => {
		const lines = createInterface({ input: child.stdout! });
		const fail = (why: string) => {
			clearTimeout(timer);
			lines.close();
			reject(new Error(`bench: server ${label} ${why}`));
		};
		const timer = setTimeout(() => fail("printed no port within 30 s"), 30_000);
		child.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before listening`));
		lines.once("line", (line) => {
			clearTimeout(timer);
			lines.close();
			const port = (JSON.parse(line) as { port?: unknown }).port;
			if (typeof port === "number" && port > 0) resolve(port);
			else reject(new Error(`bench: server ${label} printed ${line}`));
		});
	});
}

/**
 * Starts `bench/server.ts <framework> <variant>` in a new Node process with `env` added to ours,
 * and resolves once it listens.
 */
export async function startServer(
	framework: string,
	variant: string,
	env: Record<string, string>,
): Promise<ServerProcess> {
	const label = `${framework}/${variant}`;
	const child = spawn(process.execPath, ["--import", "tsx", SERVER, framework, variant], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		// stdin stays open: the server exits when it closes, so it cannot outlive us.
		stdio: ["pipe", "pipe", "inherit"],
	});
	running.add(child);
	child.once("exit", () => running.delete(child));
	try {
		const port = await readPort(child, label);
		return {
			label,
			port,
			pid: child.pid as number,
			send: (line) => child.stdin?.write(`${line}\n`),
			stop: () => stopChild(child),
		};
	} catch (error) {
		await stopChild(child);
		throw error;
	}
}
