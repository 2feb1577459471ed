/**
 * Redis with Sentinel: a master, a replica, and one sentinel (quorum 1) that promotes the replica a
 * second after the master stops answering. Each a child process on a free port; nothing persisted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { freePort, ping } from "./redis-server.js";

export const SENTINEL_MASTER = "bearerguard";

export interface RedisSentinel {
	readonly masterPort: number;
	readonly replicaPort: number;
	readonly sentinelPort: number;
	/** SIGKILLs the master: the sentinel then fails over to the replica. */
	killMaster(): Promise<void>;
	stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`${what} within 30 s`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Whether `command` on `port` answers with something that contains `expected`. */
async function answers(port: number, command: string[], expected: string): Promise<boolean> {
	const client = createClient({ url: `redis://127.0.0.1:${port}`, RESP: 2 });
	client.on("error", () => {});
	try {
		await client.connect();
		return JSON.stringify(await client.sendCommand(command)).includes(expected);
	} catch {
		return false;
	} finally {
		client.destroy();
	}
}

async function kill(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = once(child, "exit");
	child.kill("SIGKILL");
	await exited;
}

export async function startRedisSentinel(redisServer: string): Promise<RedisSentinel> {
	const directory = await mkdtemp(join(tmpdir(), "bearerguard-sentinel-"));
	const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
	const plain = (port: number) => [
		"--port",
		String(port),
		"--bind",
		"127.0.0.1",
		"--save",
		"",
		"--appendonly",
		"no",
	];
	const children: ChildProcess[] = [];
	const start = (args: string[]) => {
		const child = spawn(redisServer, args, { cwd: directory, stdio: "ignore" });
		children.push(child);
		return child;
	};
	process.once("exit", () => {
		for (const child of children) child.kill("SIGKILL");
	});
	const stop = async () => {
		await Promise.all(children.map(kill));
		await rm(directory, { recursive: true, force: true });
	};
	try {
		const master = start(plain(masterPort));
		start([...plain(replicaPort), "--replicaof", "127.0.0.1", String(masterPort)]);
		const config = join(directory, "sentinel.conf");
		await writeFile(
			config,
			[
				`port ${sentinelPort}`,
				"bind 127.0.0.1",
				`sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 1`,
				`sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
				`sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
				"",
			].join("\n"),
		);
		start([config, "--sentinel"]);
		for (const port of [masterPort, replicaPort, sentinelPort]) {
			await waitFor(() => ping(port), `port ${port} did not answer`);
		}
		// Ready once the replica has synced and the sentinel knows both (it learns the replica from the
		// master's INFO, every 10 s at first): before that, clients find no master and no failover happens.
		await waitFor(
			() => answers(replicaPort, ["INFO", "replication"], "master_link_status:up"),
			"the replica did not sync",
		);
		await waitFor(
			() => answers(sentinelPort, ["SENTINEL", "REPLICAS", SENTINEL_MASTER], `${replicaPort}`),
			"the sentinel did not find the replica",
		);
		return { masterPort, replicaPort, sentinelPort, killMaster: () => kill(master), stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
