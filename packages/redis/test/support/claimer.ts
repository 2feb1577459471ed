/**
 * A separate process that claims keys in a replay store, for the cross-process test:
 * `node --import tsx claimer.ts <redis url> <driver> <prefix>`; reads a JSON array of keys on stdin,
 * waits for the line `go`, claims them all at once, prints the results as one JSON line, and exits.
 */
import { createInterface } from "node:readline";
import { createReplayStore } from "../../src/index.js";
import { connectClient, type DriverName } from "./redis.js";

const [url, driver, prefix] = process.argv.slice(2) as [string, DriverName, string];
const client = await connectClient(url, driver);
const store = createReplayStore(client.client, { prefix });
let keys: string[] = [];
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const line of lines) {
	if (line === "go") break;
	keys = JSON.parse(line) as string[];
}
const expiresAt = new Date(Date.now() + 60_000);
const results = await Promise.all(keys.map((key) => store.claim(key, expiresAt)));
process.stdout.write(`${JSON.stringify(results)}\n`);
client.close();
process.exit(0);
