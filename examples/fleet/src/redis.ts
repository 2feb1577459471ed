// A Redis for the fleet: the one at the given URL if it answers, else a throwaway redis-server on a
// free port when the binary is installed (nothing persisted; stopped with the fleet).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";

export interface FleetRedis {
	readonly url: string;
	/** Whether this process started it (and stops it on close). */
	readonly started: boolean;
	close(): Promise<void>;
}

/** Whether a Redis answers PING at host:port. */
export function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host, port });
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once("error", () => done(false));
		socket.once("connect", () => socket.write("PING\r\n"));
		socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
	});
}

async function freePort(): Promise<number> {
	const server = createServer().listen(0, "127.0.0.1");
	await once(server, "listening");
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function startThrowaway(): Promise<FleetRedis | undefined> {
	const port = await freePort();
	let child: ChildProcess;
	try {
		child = spawn(
			"redis-server",
			["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
			{
				stdio: "ignore",
			},
		);
		await Promise.race([once(child, "spawn"), once(child, "error").then(([error]) => Promise.reject(error))]);
	} catch {
		return undefined; // no redis-server binary
	}
	for (let i = 0; i < 200 && !(await answers("127.0.0.1", port, 200)); i++) {
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	const close = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		const exited = once(child, "exit");
		child.kill("SIGTERM");
		await exited;
	};
	if (!(await answers("127.0.0.1", port))) {
		await close();
		return undefined;
	}
	return { url: `redis://127.0.0.1:${port}`, started: true, close };
}

/**
 * The Redis at `url` (default redis://127.0.0.1:6379) if it answers, else a throwaway one; throws an
 * error that says what to do when there is neither.
 */
export async function fleetRedis(url = "redis://127.0.0.1:6379"): Promise<FleetRedis> {
	const { hostname, port } = new URL(url);
	if (await answers(hostname, Number(port || 6379))) return { url, started: false, close: async () => {} };
	const throwaway = await startThrowaway();
	if (throwaway) return throwaway;
	throw new Error(
		`No Redis answers at ${url} and there is no redis-server to start one: install Redis or set REDIS_URL`,
	);
}
