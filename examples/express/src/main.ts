// The Express example: a products API whose routes need OAuth 2.0 bearer tokens (see ./app.ts).
// Configure it like production: BEARERGUARD_ISSUER, BEARERGUARD_AUDIENCE, optional BEARERGUARD_JWKS_URI,
// and PORT (default 3000). Without BEARERGUARD_ISSUER it starts an embedded test issuer on loopback
// and prints a ready curl line with a fresh token (permissions read write, organization org_demo), and
// one with an API key for the legacy route, and one with a DPoP-bound token and its proof for the
// DPoP-only /v1/payments (good once). In production, LEGACY_API_KEYS holds the stored keys as JSON:
// [{"hash":"<sha-256 hex>","subject":"svc_reports","organization":"org_...","permissions":["read"]}].
// Run: pnpm --filter @bearerguard/example-express start
import type { ApiKeyRecord, ExpressAuthOptions } from "@bearerguard/express";
import { createTestIssuer } from "@bearerguard/testing";
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
// Options not given here are read from the BEARERGUARD_* environment variables.
let options: ExpressAuthOptions = {};
let token: string | undefined;
let apiKey: string | undefined;
// A DPoP-bound token and one proof of it for GET /v1/payments (the route that takes only DPoP).
let dpop: { token: string; proof: string } | undefined;
// The legacy route's API keys: hashes only, never the keys.
let legacyKeys: ApiKeyRecord[] = process.env.LEGACY_API_KEYS ? JSON.parse(process.env.LEGACY_API_KEYS) : [];

if (!process.env.BEARERGUARD_ISSUER) {
	const issuer = await createTestIssuer({ audience: "https://api.example.com" });
	options = { issuer: issuer.issuer, audience: issuer.audience };
	token = await issuer.sign({ permissions: ["read", "write"], org_id: "org_demo" });
	const legacy = issuer.apiKey({
		subject: "svc_legacy_reports",
		permissions: ["read"],
		organization: "org_demo",
	});
	apiKey = legacy.key;
	legacyKeys = [legacy.record];
	const bound = await issuer.sign({ permissions: ["read"], org_id: "org_demo" }, { dpopKey: issuer.dpopKey });
	const url = `http://localhost:${port}/v1/payments`;
	dpop = { token: bound, proof: await issuer.dpopProof({ method: "GET", url, token: bound }) };
	console.log(`Embedded test issuer: ${issuer.issuer}`);
}

createApp(options, legacyKeys).listen(port, () => {
	console.log(`Express example listening on http://localhost:${port}`);
	if (token) {
		console.log(
			`curl -H "Authorization: Bearer ${token}" -H "x-organization-id: org_demo" http://localhost:${port}/v1/products`,
		);
		console.log(
			`curl -i -H "X-API-Key: ${apiKey}" -H "x-organization-id: org_demo" http://localhost:${port}/v1/legacy/products`,
		);
	}
	if (dpop) {
		// A proof is good for one request, within 5 minutes: the second run of this line is a 401.
		console.log(
			`curl -i -H "Authorization: DPoP ${dpop.token}" -H "DPoP: ${dpop.proof}" -H "x-organization-id: org_demo" http://localhost:${port}/v1/payments`,
		);
	}
});
