import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { getRequestListener } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpApp, TOOLS_SCOPE } from "../src/app.js";
import { authorizationServerMetadataUrl, discoverAndAuthorize, resourceMetadataOf } from "../src/client.js";

let issuer: TestIssuer;
let server: Server;
let resource: string;
let metadataUrl: string;

beforeAll(async () => {
	// The server's URL is its identity (and the tokens' audience): listen first, then build the app for it.
	let listener: RequestListener = (_req, res) => res.writeHead(503).end();
	server = createServer((req, res) => listener(req, res));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	resource = `${origin}/mcp`;
	metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
	issuer = await createTestIssuer({ audience: resource });
	listener = getRequestListener(createMcpApp({ issuer: issuer.issuer, resource }).fetch);
});

afterAll(async () => {
	server?.closeAllConnections();
	await new Promise((resolve) => server?.close(resolve));
	await issuer?.close();
});

const rpc = (method: string, params?: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
const call = (token: string | undefined, body: string) =>
	fetch(resource, {
		method: "POST",
		headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body,
	});

describe("an MCP client finds the authorization server from one 401", () => {
	it("1. the refused request's challenge names the protected resource metadata", async () => {
		const res = await call(undefined, rpc("initialize"));
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toBe(
			`Bearer realm="mcp", resource_metadata="${metadataUrl}"`,
		);
		expect(await res.text()).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
		expect(resourceMetadataOf(res.headers.get("www-authenticate"))).toBe(metadataUrl);
	});

	it("2. the metadata names the test issuer as the authorization server", async () => {
		const res = await fetch(metadataUrl);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(await res.json()).toEqual({
			resource,
			authorization_servers: [issuer.issuer],
			scopes_supported: [TOOLS_SCOPE],
			bearer_methods_supported: ["header"],
			resource_name: "bearerguard example MCP server",
		});
	});

	it("3. the issuer's metadata gives the token endpoint", async () => {
		const res = await fetch(authorizationServerMetadataUrl(issuer.issuer));
		expect(res.status).toBe(200);
		expect(((await res.json()) as { token_endpoint: string }).token_endpoint).toBe(
			`${issuer.issuer}/oauth/token`,
		);
	});

	it("4. a client-credentials token for this resource is accepted: initialize, tools/list, tools/call", async () => {
		const { accessToken, tokenEndpoint } = await discoverAndAuthorize(resource, "mcp-client", TOOLS_SCOPE);
		expect(tokenEndpoint).toBe(`${issuer.issuer}/oauth/token`);
		const initialize = await call(accessToken, rpc("initialize"));
		expect(initialize.status).toBe(200);
		expect(await initialize.json()).toMatchObject({
			jsonrpc: "2.0",
			id: 1,
			result: { capabilities: { tools: {} } },
		});
		const list = await call(accessToken, rpc("tools/list"));
		expect(await list.json()).toMatchObject({ result: { tools: [{ name: "whoami" }] } });
		const whoami = await call(accessToken, rpc("tools/call", { name: "whoami" }));
		expect(await whoami.json()).toEqual({
			jsonrpc: "2.0",
			id: 1,
			result: { content: [{ type: "text", text: `mcp-client (${TOOLS_SCOPE})` }] },
		});
	});

	it("a token without the scope is a 403 that names it (step-up)", async () => {
		const token = await issuer.sign({ scope: "other" });
		const res = await call(token, rpc("tools/list"));
		expect(res.status).toBe(403);
		expect(res.headers.get("www-authenticate")).toBe(
			`Bearer realm="mcp", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="${TOOLS_SCOPE}"`,
		);
	});

	it("a token for another audience is refused, and the 401 still names the metadata", async () => {
		const token = await issuer.sign({ aud: "https://other.example/mcp", scope: TOOLS_SCOPE });
		const res = await call(token, rpc("tools/list"));
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toBe(
			`Bearer realm="mcp", error="invalid_token", error_description="Unexpected token audience", resource_metadata="${metadataUrl}"`,
		);
	});

	it("a malformed JSON-RPC message is a JSON-RPC error once authorized", async () => {
		const token = await issuer.sign({ scope: TOOLS_SCOPE });
		const res = await call(token, "not json");
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			jsonrpc: "2.0",
			id: null,
			error: { code: -32600, message: "Invalid Request" },
		});
	});
});
