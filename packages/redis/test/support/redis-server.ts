/**
 * A real `redis-server` as a child process on a free loopback port, which a test can pause (SIGSTOP),
 * resume, kill (SIGKILL) and start again on the same port. Nothing is persisted (`--save ""`,
 * `--appendonly no`), so a restart comes back empty, as a Redis without persistence does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants } from "node:fs";
import { connect, createServer } from "node:net";
import { delimiter, join } from "node:path";

/** Every server still running: killed when the test process exits, however it exits. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
	for (const child of running) child.kill("SIGKILL");
});

/** The `redis-server` binary on the PATH (or in /usr/bin, /usr/local/bin), if any. */
export function findRedisServer(): string | undefined {
	const directories = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
	for (const directory of directories) {
		if (!directory) continue;
		const file = join(directory, "redis-server");
		try {
			accessSync(file, constants.X_OK);
			return file;
		} catch {
			// not here
		}
	}
	return undefined;
}

/** A free loopback port (the OS picks one; there is a small race until the server binds it). */
export async function freePort(): Promise<number> {
	const server = createServer().listen(0, "127.0.0.1");
	await once(server, "listening");
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Whether a Redis answers PING on `port` within `timeoutMs`. */
export function ping(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ port, host });
		const done = (answer: boolean) => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once("error", () => done(false));
		socket.once("connect", () => socket.write("PING\r\n"));
		socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
	});
}

export interface RedisServer {
	readonly port: number;
	readonly url: string;
	/** SIGSTOP: the server holds its connections but answers nothing. */
	pause(): void;
	/** SIGCONT after {@link RedisServer.pause}. */
	resume(): void;
	/** SIGKILL, resolving once the process is gone. */
	kill(): Promise<void>;
	/** Starts a new, empty server on the same port; resolves once it answers PING. */
	restart(): Promise<void>;
	/** Kills it for good. */
	stop(): Promise<void>;
}

async function launch(binary: string, port: number): Promise<ChildProcess> {
	const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
	const child = spawn(binary, [...args, "--loglevel", "warning"], { stdio: ["ignore", "ignore", "pipe"] });
	running.add(child);
	child.once("exit", () => running.delete(child));
	let stderr = "";
	child.stderr?.on("data", (chunk) => {
		stderr += chunk;
	});
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`redis-server exited at start: ${stderr.trim()}`);
		if (await ping(port)) return child;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	child.kill("SIGKILL");
	throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

async function killChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = once(child, "exit");
	child.kill("SIGCONT");
	child.kill("SIGKILL");
	await exited;
}

/** Starts `redis-server` on a free port. */
export async function startRedisServer(binary: string): Promise<RedisServer> {
	const port = await freePort();
	let child = await launch(binary, port);
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		pause: () => child.kill("SIGSTOP"),
		resume: () => child.kill("SIGCONT"),
		kill: () => killChild(child),
		async restart() {
			await killChild(child);
			child = await launch(binary, port);
		},
		stop: () => killChild(child),
	};
}
