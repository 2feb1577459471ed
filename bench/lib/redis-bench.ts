/**
 * What the Redis benchmark needs: a Redis (BENCH_REDIS_URL, else a redis-server of its own when the
 * binary is installed), and its server processes (bench/redis-server.ts), pinned like http.ts's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { findRedisServer, startRedisServer } from "../../packages/redis/test/support/redis-server.js";
import { pinning } from "./pinning.js";

/** The variants of the HTTP part, in the order of the table. */
export const REDIS_VARIANTS = [
	"bearerguard",
	"bearerguard + isRevoked: () => false",
	"bearerguard + Redis revocation list",
] as const;
export type RedisVariant = (typeof REDIS_VARIANTS)[number];

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
const SERVER = join(BENCH, "redis-server.ts");

export interface BenchRedis {
	readonly url: string;
	/** Where it comes from, for the report. */
	readonly origin: string;
	close(): Promise<void>;
}

/** BENCH_REDIS_URL's Redis, or one of our own; `undefined` (with the reason) when there is neither. */
export async function benchRedis(): Promise<BenchRedis | string> {
	const url = process.env.BENCH_REDIS_URL;
	if (url) return { url, origin: `BENCH_REDIS_URL (${url})`, close: async () => {} };
	const binary = findRedisServer();
	if (!binary) return "no redis-server on the PATH and no BENCH_REDIS_URL";
	const server = await startRedisServer(binary);
	return {
		url: server.url,
		origin: `a redis-server of its own (${binary}, nothing persisted)`,
		close: server.stop,
	};
}

export interface RedisBenchServer {
	readonly port: number;
	/** CPU time the server process has used so far (user + system, every thread), in microseconds. */
	cpuMicros(): Promise<number>;
	stop(): Promise<void>;
}

/** Starts `bench/redis-server.ts <framework> <variant>`, pinned to the servers' core when possible. */
export async function startRedisBenchServer(
	framework: string,
	variant: RedisVariant,
	env: Record<string, string>,
): Promise<RedisBenchServer> {
	const { file, args } = pinning().command(["--import", "tsx", SERVER, framework, variant]);
	const child: ChildProcess = spawn(file, args, {
		cwd: dirname(BENCH),
		env: { ...process.env, ...env },
		stdio: ["pipe", "pipe", "inherit"],
	});
	const waiting: Array<(line: string) => void> = [];
	createInterface({ input: child.stdout! }).on("line", (line) => waiting.shift()?.(line));
	const exited = once(child, "exit");
	const next = () =>
		Promise.race([
			new Promise<Record<string, unknown>>((resolve) => waiting.push((line) => resolve(JSON.parse(line)))),
			exited.then(() => Promise.reject(new Error(`bench: redis server ${framework}/${variant} exited`))),
		]);
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill("SIGTERM");
		await exited;
	};
	process.once("exit", () => child.kill("SIGKILL"));
	try {
		const { port } = (await next()) as { port: number };
		return {
			port,
			async cpuMicros() {
				const reply = next();
				child.stdin?.write("cpu\n");
				const { cpu } = (await reply) as { cpu: { user: number; system: number } };
				return cpu.user + cpu.system;
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
