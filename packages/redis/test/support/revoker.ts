/**
 * Another process of the fleet that revokes many tokens at once, for the scale test:
 * `node --conditions=source --import tsx revoker.ts <redis url> <prefix> <count> <exp, Unix seconds> <jti prefix>`.
 * Revokes `<jti prefix>0` ... `<jti prefix><count - 1>` (2,000 in flight at a time), prints
 * `{"ms":N}` and exits.
 */
import { createRevocationList } from "../../src/index.js";
import { connectClient } from "./redis.js";

const [url, prefix, count, exp, jtiPrefix] = process.argv.slice(2) as [
	string,
	string,
	string,
	string,
	string,
];
const client = await connectClient(url, "node-redis");
const list = await createRevocationList(client.client, { prefix, clockTolerance: 0 });
const started = performance.now();
const total = Number(count);
for (let from = 0; from < total; from += 2000) {
	const batch = Array.from({ length: Math.min(2000, total - from) }, (_, i) =>
		list.revoke({ jti: `${jtiPrefix}${from + i}`, exp: Number(exp) }),
	);
	await Promise.all(batch);
}
process.stdout.write(`${JSON.stringify({ ms: Math.round(performance.now() - started) })}\n`);
await list.close();
client.close();
process.exit(0);
