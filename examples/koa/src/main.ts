// The Koa example: a products API whose routes need OAuth 2.0 bearer tokens (see ./app.ts).
// Configure it like production: BEARERGUARD_ISSUER, BEARERGUARD_AUDIENCE, optional BEARERGUARD_JWKS_URI,
// and PORT (default 3001). Without BEARERGUARD_ISSUER it starts an embedded test issuer on loopback
// and prints a ready curl line with a fresh token (permissions read write, organization org_demo).
// Run: pnpm --filter @bearerguard/example-koa start
import type { KoaAuthOptions } from "@bearerguard/koa";
import { createTestIssuer } from "@bearerguard/testing";
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3001);
// Options not given here are read from the BEARERGUARD_* environment variables.
let options: KoaAuthOptions = {};
let token: string | undefined;

if (!process.env.BEARERGUARD_ISSUER) {
	const issuer = await createTestIssuer({ audience: "https://api.example.com" });
	options = { issuer: issuer.issuer, audience: issuer.audience };
	token = await issuer.sign({ permissions: ["read", "write"], org_id: "org_demo" });
	console.log(`Embedded test issuer: ${issuer.issuer}`);
}

createApp(options).listen(port, () => {
	console.log(`Koa example listening on http://localhost:${port}`);
	if (token) {
		console.log(
			`curl -H "Authorization: Bearer ${token}" -H "x-organization-id: org_demo" http://localhost:${port}/v1/products`,
		);
	}
});
