import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type TestApp } from "../support/apps.js";
import { MCP_PATH, startResourceApps } from "../support/resource-apps.js";

/** Protected resource metadata (RFC 9728) through every adapter, byte for byte the same. */
const RESOURCE = "https://mcp.example.com/mcp";
const METADATA_URL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
const WELL_KNOWN = "/.well-known/oauth-protected-resource";

let issuer: TestIssuer;
let apps: TestApp[];
let document: string;

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: RESOURCE });
	const metadata = {
		resource: RESOURCE,
		authorization_servers: [issuer.issuer],
		scopes_supported: ["read", "write"],
		bearer_methods_supported: ["header"] as const,
		resource_name: "Example MCP server",
	};
	document = JSON.stringify(metadata);
	apps = await startResourceApps({ issuer: issuer.issuer, audience: RESOURCE, resource: { metadata } });
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await issuer?.close();
});

/** What a request pins down of an answer, for the every-adapter comparison. */
async function answer(
	app: TestApp,
	method: "GET" | "HEAD" | "OPTIONS" | "POST",
	path: string,
	token?: string,
) {
	const agent = request(app.url);
	const test =
		method === "GET"
			? agent.get(path)
			: method === "HEAD"
				? agent.head(path)
				: method === "OPTIONS"
					? agent
							.options(path)
							.set("Origin", "https://client.example")
							.set("Access-Control-Request-Method", "GET")
					: agent.post(path);
	if (token !== undefined) test.set("Authorization", `Bearer ${token}`);
	const res = await test.buffer(true);
	const pick = (name: string) =>
		typeof res.headers[name] === "string" ? (res.headers[name] as string) : undefined;
	return {
		status: res.status,
		headers: {
			"content-type": pick("content-type"),
			"cache-control": pick("cache-control"),
			"access-control-allow-origin": pick("access-control-allow-origin"),
			"access-control-allow-methods": pick("access-control-allow-methods"),
			"www-authenticate": pick("www-authenticate"),
			...(method === "HEAD" ? { "content-length": pick("content-length") } : {}),
		},
		body: res.text ?? "",
	};
}

const app = (name: string) => apps.find((candidate) => candidate.name === name) as TestApp;

describe.each(ADAPTERS)("%s", (name) => {
	it.each([`${WELL_KNOWN}/mcp`, WELL_KNOWN])(
		"GET %s: the document, cacheable, for any origin",
		async (path) => {
			expect(await answer(app(name), "GET", path)).toEqual({
				status: 200,
				headers: {
					"content-type": "application/json",
					"cache-control": "public, max-age=3600",
					"access-control-allow-origin": "*",
					"access-control-allow-methods": undefined,
					"www-authenticate": undefined,
				},
				body: document,
			});
		},
	);

	it("HEAD: the headers and the document's length, no body", async () => {
		const head = await answer(app(name), "HEAD", `${WELL_KNOWN}/mcp`);
		expect(head.status).toBe(200);
		expect(head.headers["content-type"]).toBe("application/json");
		expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(document)));
		expect(head.body).toBe("");
	});

	it("OPTIONS: the CORS preflight", async () => {
		const preflight = await answer(app(name), "OPTIONS", `${WELL_KNOWN}/mcp`);
		expect(preflight.status).toBe(204);
		expect(preflight.headers["access-control-allow-origin"]).toBe("*");
		expect(preflight.headers["access-control-allow-methods"]).toBe("GET, HEAD, OPTIONS");
	});

	it("a 401 names the metadata URL; the issuer's token then gets a 200", async () => {
		const refused = await answer(app(name), "POST", MCP_PATH);
		expect(refused.status).toBe(401);
		expect(refused.headers["www-authenticate"]).toBe(
			`Bearer realm="api", resource_metadata="${METADATA_URL}"`,
		);
		expect(refused.body).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
		const accepted = await answer(app(name), "POST", MCP_PATH, await issuer.sign({ permissions: ["read"] }));
		expect(accepted.status).toBe(200);
		expect(JSON.parse(accepted.body)).toMatchObject({ auth: { subject: "user_123", permissions: ["read"] } });
	});
});

describe("every adapter, byte for byte", () => {
	const requests: ReadonlyArray<[string, "GET" | "HEAD" | "OPTIONS" | "POST", string]> = [
		["the metadata", "GET", `${WELL_KNOWN}/mcp`],
		["the bare well-known path", "GET", WELL_KNOWN],
		["HEAD", "HEAD", `${WELL_KNOWN}/mcp`],
		["the preflight", "OPTIONS", `${WELL_KNOWN}/mcp`],
		["a 401", "POST", MCP_PATH],
	];
	it.each(requests)("%s", async (_name, method, path) => {
		const answers = await Promise.all(apps.map((each) => answer(each, method, path)));
		for (const each of answers.slice(1)) expect(each).toEqual(answers[0]);
	});

	it("an expired token's 401 too", async () => {
		const token = await issuer.sign({}, { expiresIn: -60 });
		const answers = await Promise.all(apps.map((each) => answer(each, "POST", MCP_PATH, token)));
		expect(answers[0]?.headers["www-authenticate"]).toBe(
			`Bearer realm="api", error="invalid_token", error_description="Token has expired", resource_metadata="${METADATA_URL}"`,
		);
		for (const each of answers.slice(1)) expect(each).toEqual(answers[0]);
	});
});
