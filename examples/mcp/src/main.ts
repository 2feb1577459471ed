// The MCP example: an MCP-style server on Hono whose 401 leads a client to its authorization server
// (see ./app.ts). Configure it like production: MCP_ISSUER and MCP_RESOURCE (this server's public URL,
// e.g. https://mcp.example.com/mcp), PORT (default 3005). Without MCP_ISSUER it starts an embedded test
// issuer on loopback, walks through the discovery as a client would, and prints each step.
// Run: pnpm --filter @bearerguard/example-mcp start

import { createTestIssuer } from "@bearerguard/testing";
import { serve } from "@hono/node-server";
import { createMcpApp, TOOLS_SCOPE } from "./app.js";
import { discoverAndAuthorize } from "./client.js";

const port = Number(process.env.PORT ?? 3005);
const resource = process.env.MCP_RESOURCE ?? `http://localhost:${port}/mcp`;
const embedded = process.env.MCP_ISSUER ? undefined : await createTestIssuer({ audience: resource });
const issuer = process.env.MCP_ISSUER ?? (embedded?.issuer as string);

serve({ fetch: createMcpApp({ issuer, resource }).fetch, port }, async () => {
	console.log(`MCP example on ${resource} (tokens from ${issuer})`);
	if (embedded === undefined) return;
	const steps = await discoverAndAuthorize(resource, "example-client", TOOLS_SCOPE);
	console.log(`1. POST ${resource} without a token: 401, WWW-Authenticate: ${steps.challenge}`);
	console.log(`2. GET ${steps.resourceMetadataUrl}: ${JSON.stringify(steps.resourceMetadata)}`);
	console.log(
		`3. POST ${steps.tokenEndpoint} (client_credentials, scope ${TOOLS_SCOPE}, resource ${resource})`,
	);
	console.log(
		`4. curl -X POST ${resource} -H "Authorization: Bearer ${steps.accessToken}" -H "content-type: application/json" -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami"}}'`,
	);
});
