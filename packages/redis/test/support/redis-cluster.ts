/**
 * A real Redis Cluster of three masters (no replicas), each a `redis-server --cluster-enabled yes`
 * child on a free port with its own directory, joined by `redis-cli --cluster create`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, ping } from "./redis-server.js";

export interface RedisCluster {
	readonly ports: readonly number[];
	stop(): Promise<void>;
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
	const deadline = Date.now() + 15_000;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`${what} within 15 s`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

export async function startRedisCluster(redisServer: string, redisCli: string): Promise<RedisCluster> {
	const directory = await mkdtemp(join(tmpdir(), "bearerguard-cluster-"));
	const children: ChildProcess[] = [];
	const ports: number[] = [];
	const stop = async () => {
		await Promise.all(
			children.map(async (child) => {
				if (child.exitCode !== null || child.signalCode !== null) return;
				const exited = once(child, "exit");
				child.kill("SIGKILL");
				await exited;
			}),
		);
		await rm(directory, { recursive: true, force: true });
	};
	process.once("exit", () => {
		for (const child of children) child.kill("SIGKILL");
	});
	try {
		for (let i = 0; i < 3; i++) {
			const port = await freePort();
			ports.push(port);
			const args = ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes"];
			const files = ["--cluster-config-file", `nodes-${port}.conf`, "--save", "", "--appendonly", "no"];
			children.push(spawn(redisServer, [...args, ...files], { cwd: directory, stdio: "ignore" }));
		}
		for (const port of ports) await waitUntil(() => ping(port), `node ${port} did not answer`);
		const nodes = ports.map((port) => `127.0.0.1:${port}`);
		await promisify(execFile)(redisCli, [
			"--cluster",
			"create",
			...nodes,
			"--cluster-replicas",
			"0",
			"--cluster-yes",
		]);
		const info = promisify(execFile);
		await waitUntil(async () => {
			const states = await Promise.all(
				ports.map(async (port) => (await info(redisCli, ["-p", String(port), "cluster", "info"])).stdout),
			);
			return states.every((state) => state.includes("cluster_state:ok"));
		}, "the cluster did not become ok");
		return { ports, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
