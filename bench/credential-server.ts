/**
 * One server of the credentials benchmark, run as its own process by credentials-http.ts:
 * `node --import tsx bench/credential-server.ts <koa|fastify> <variant>`, with the line protocol of
 * server.ts (`{"port":N}` first; `cpu` answered with the process's CPU time; exits when stdin closes).
 */
import { createInterface } from "node:readline";
import {
	CREDENTIAL_FRAMEWORKS,
	type CredentialFramework,
	isCredentialVariant,
	startCredentialServer,
} from "./servers/credentials.js";

const [framework = "", variant = ""] = process.argv.slice(2);
if (!(CREDENTIAL_FRAMEWORKS as readonly string[]).includes(framework) || !isCredentialVariant(variant)) {
	throw new Error(
		`usage: credential-server.ts <${CREDENTIAL_FRAMEWORKS.join("|")}> <variant>, got: ${framework} ${variant}`,
	);
}
process.once("SIGTERM", () => process.exit(0)).once("SIGINT", () => process.exit(0));
createInterface({ input: process.stdin })
	.on("line", (line) => {
		if (line === "cpu") process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage() })}\n`);
	})
	.once("close", () => process.exit(0));
const server = await startCredentialServer(framework as CredentialFramework, variant);
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
