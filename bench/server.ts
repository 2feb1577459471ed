/**
 * One benchmark server, run as its own process by http.ts:
 * `node --import tsx bench/server.ts <framework> <variant>`, configured by BENCH_* (and, for our
 * adapters, BEARERGUARD_*) environment variables. It listens on a free loopback port, prints
 * `{"port":N}` as its first stdout line, and exits on SIGTERM, SIGINT or when its stdin closes
 * (so it never outlives the parent). It answers the stdin line `cpu` with `{"cpu":{"user":µs,"system":µs}}`
 * (process.cpuUsage(), every thread). With BENCH_CPU_PROFILE=<file>, the line `profile` starts a CPU
 * profile, written to that file when the server exits (see profile.ts).
 */
import { createInterface } from "node:readline";
import { startBefore } from "./servers/before.js";
import { startExpress } from "./servers/express.js";
import { startFastify } from "./servers/fastify.js";
import { startHono } from "./servers/hono.js";
import { startKoa } from "./servers/koa.js";
import { startNest } from "./servers/nest.js";
import { createProfiler } from "./servers/profiler.js";
import { configFromEnvironment, type RunningServer } from "./servers/shared.js";
import { subscribeCounter } from "./servers/subscriber.js";
import { BEFORE, FRAMEWORKS, isServerVariant, SUBSCRIBED } from "./servers/variants.js";

function start(framework: string, given: string): Promise<RunningServer> {
	const config = configFromEnvironment();
	// The same server as "bearerguard", observed by one subscriber to the diagnostics events.
	if (given === SUBSCRIBED) subscribeCounter();
	if (given === BEFORE) return startBefore(framework);
	const variant = given === SUBSCRIBED ? "bearerguard" : given;
	if (framework === "express" && isServerVariant("express", variant)) return startExpress(variant, config);
	if (framework === "koa" && isServerVariant("koa", variant)) return startKoa(variant, config);
	if (framework === "fastify" && isServerVariant("fastify", variant)) return startFastify(variant, config);
	if (framework === "nest" && isServerVariant("nest", variant)) return startNest(variant);
	if (framework === "hono" && isServerVariant("hono", variant)) return startHono(variant);
	throw new Error(`usage: server.ts <${FRAMEWORKS.join("|")}> <variant>, got: ${framework} ${variant}`);
}

const profiler = process.env.BENCH_CPU_PROFILE ? createProfiler(process.env.BENCH_CPU_PROFILE) : undefined;
const exit = async () => {
	await profiler?.stop();
	process.exit(0);
};
process.once("SIGTERM", exit).once("SIGINT", exit);
createInterface({ input: process.stdin })
	.on("line", (line) => {
		if (line === "profile") void profiler?.start();
		if (line === "cpu") process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
	})
	.once("close", exit);
const server = await start(process.argv[2] ?? "", process.argv[3] ?? "");
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
