/**
 * One server of the DPoP benchmark, run as its own process by dpop-http.ts:
 * `node --import tsx bench/dpop-server.ts <express|koa|fastify|hono> <server>`, with the line protocol of
 * server.ts (`{"port":N}` first; `cpu` answered with the process's CPU time; exits when stdin closes).
 */
import { createInterface } from "node:readline";
import { DPOP_FRAMEWORKS, type DpopFramework, isDpopServer, startDpopServer } from "./servers/dpop.js";

const [framework = "", server = ""] = process.argv.slice(2);
if (!(DPOP_FRAMEWORKS as readonly string[]).includes(framework) || !isDpopServer(server)) {
	throw new Error(
		`usage: dpop-server.ts <${DPOP_FRAMEWORKS.join("|")}> <server>, got: ${framework} ${server}`,
	);
}
process.once("SIGTERM", () => process.exit(0)).once("SIGINT", () => process.exit(0));
createInterface({ input: process.stdin })
	.on("line", (line) => {
		if (line === "cpu") process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
	})
	.once("close", () => process.exit(0));
const running = await startDpopServer(framework as DpopFramework, server);
process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
