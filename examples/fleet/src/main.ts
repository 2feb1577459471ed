// The fleet example: three instances of the products API (Express, Koa, Fastify), each its own process,
// sharing revocations through Redis (REDIS_URL, default redis://127.0.0.1:6379; without one, a
// throwaway redis-server if it is installed). It logs a token out on one instance and shows all three
// refusing it. With --serve it then keeps the fleet running and prints curl lines to try it by hand.
// Run: pnpm --filter @bearerguard/example-fleet start [-- --serve]
import { once } from "node:events";
import { createTestIssuer } from "@bearerguard/testing";
import { startFleet, tourFleet } from "./fleet.js";
import { fleetRedis } from "./redis.js";

const redis = await fleetRedis(process.env.REDIS_URL);
const issuer = await createTestIssuer({ audience: "https://api.example.com" });
const instances = await startFleet(redis.url, issuer);
try {
	console.log(`Redis ${redis.url}${redis.started ? " (started for this run)" : ""}; issuer ${issuer.issuer}`);
	for (const instance of instances) console.log(`  ${instance.framework.padEnd(8)} ${instance.url}`);
	const result = await tourFleet(instances, issuer);
	console.log(`\n${result.report}\n`);
	console.log(result.ok ? "Every instance answered as expected." : "Some answers differ (✗ above).");
	process.exitCode = result.ok ? 0 : 1;
	if (process.argv.includes("--serve")) {
		const token = await issuer.sign({ sub: "user_789", permissions: ["read"], org_id: "org_demo" });
		const [first, second] = instances;
		console.log(`\nServing until Ctrl-C.\nTOKEN=${token}`);
		console.log(
			`curl -H "Authorization: Bearer $TOKEN" -H "x-organization-id: org_demo" ${second?.url}/v1/products`,
		);
		console.log(
			`curl -X POST -H "Authorization: Bearer $TOKEN" -H "x-organization-id: org_demo" ${first?.url}/v1/logout`,
		);
		await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
	}
} finally {
	await Promise.all(instances.map((instance) => instance.stop()));
	await issuer.close();
	await redis.close();
}
