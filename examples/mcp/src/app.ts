import { type AuthEnv, requireAuth, requirePermissions } from "@bearerguard/hono";
import { Hono } from "hono";

/** The scope a client needs to use the tools. */
export const TOOLS_SCOPE = "mcp:tools";

/** Where the MCP server's identity and its authorization server come from. */
export interface McpServerOptions {
	/** The issuer (authorization server) whose tokens are accepted. */
	readonly issuer: string;
	/** This server's URL, e.g. `https://mcp.example.com/mcp`: the resource identifier and the tokens' audience. */
	readonly resource: string;
}

type JsonRpcId = string | number | null;
interface JsonRpcRequest {
	jsonrpc: "2.0";
	id?: JsonRpcId;
	method: string;
	params?: { name?: string; arguments?: Record<string, unknown> };
}

const TOOLS = [
	{
		name: "whoami",
		description: "Who the access token was issued to.",
		inputSchema: { type: "object", properties: {} },
	},
];

function isRequest(value: unknown): value is JsonRpcRequest {
	const request = value as Partial<JsonRpcRequest> | null;
	return request?.jsonrpc === "2.0" && typeof request.method === "string";
}

/**
 * An MCP-style server (JSON-RPC over `POST /mcp`: `initialize`, `tools/list`, `tools/call`) behind
 * bearerguard. `requireAuth` on every path serves the protected resource metadata (RFC 9728) and names
 * it in every 401, so an MCP client finds the authorization server from its first refused request.
 */
export function createMcpApp({ issuer, resource }: McpServerOptions): Hono<AuthEnv> {
	const app = new Hono<AuthEnv>();
	app.use(
		requireAuth({
			issuer,
			audience: resource, // RFC 8707 / MCP: tokens must be issued for this server
			realm: "mcp",
			resource: {
				metadata: {
					resource,
					authorization_servers: [issuer],
					scopes_supported: [TOOLS_SCOPE],
					bearer_methods_supported: ["header"],
					resource_name: "bearerguard example MCP server",
				},
			},
		}),
	);

	// Without the scope: a 403 whose challenge names it, so the client can ask for it (step-up).
	app.post("/mcp", requirePermissions(TOOLS_SCOPE), async (c) => {
		const message: unknown = await c.req.json().catch(() => undefined);
		if (!isRequest(message)) {
			return c.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request" } }, 400);
		}
		const id = message.id ?? null;
		const result = (value: unknown) => c.json({ jsonrpc: "2.0", id, result: value });
		switch (message.method) {
			case "initialize":
				return result({
					protocolVersion: "2025-06-18",
					capabilities: { tools: {} },
					serverInfo: { name: "bearerguard-example", version: "0.0.0" },
				});
			case "tools/list":
				return result({ tools: TOOLS });
			case "tools/call":
				if (message.params?.name === "whoami") {
					const auth = c.get("auth");
					const text = `${auth?.subject ?? "unknown"} (${[...(auth?.permissions ?? [])].join(" ")})`;
					return result({ content: [{ type: "text", text }] });
				}
				return c.json({ jsonrpc: "2.0", id, error: { code: -32602, message: "Unknown tool" } });
			default:
				return c.json({ jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } });
		}
	});
	return app;
}
