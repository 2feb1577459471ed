import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Hono } from "hono";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthEnv, type HonoAuthOptions, requireAuth, resourceMetadata } from "../src/index.js";
import { nodeServer } from "./support.js";

let issuer: TestIssuer;
let options: HonoAuthOptions;
const RESOURCE = "https://api.example.com/mcp";
const METADATA_URL = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: RESOURCE });
	options = {
		issuer: issuer.issuer,
		audience: RESOURCE,
		resource: { metadata: { resource: RESOURCE, authorization_servers: [issuer.issuer] } },
	};
});
afterAll(() => issuer.close());

const document = () => JSON.stringify({ resource: RESOURCE, authorization_servers: [issuer.issuer] });

describe("requireAuth({ resource }) on every path", () => {
	function app() {
		const hono = new Hono<AuthEnv>();
		hono.use(requireAuth(options));
		hono.post("/mcp", (c) => c.json({ subject: c.get("auth")?.subject }));
		return nodeServer(hono);
	}

	it("serves the document at the path-suffixed and the bare well-known path, before authenticating", async () => {
		for (const path of [
			"/.well-known/oauth-protected-resource/mcp",
			"/.well-known/oauth-protected-resource",
		]) {
			const res = await request(app()).get(path);
			expect(res.status).toBe(200);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["cache-control"]).toBe("public, max-age=3600");
			expect(res.headers["access-control-allow-origin"]).toBe("*");
			expect(res.text).toBe(document());
		}
	});

	it("answers HEAD without a body and the CORS preflight with 204", async () => {
		const head = await request(app()).head("/.well-known/oauth-protected-resource/mcp");
		expect(head.status).toBe(200);
		expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(document())));
		expect(head.text ?? "").toBe("");
		const preflight = await request(app())
			.options("/.well-known/oauth-protected-resource/mcp")
			.set("Origin", "https://client.example")
			.set("Access-Control-Request-Method", "GET");
		expect(preflight.status).toBe(204);
		expect(preflight.headers["access-control-allow-origin"]).toBe("*");
		expect(preflight.headers["access-control-allow-methods"]).toBe("GET, HEAD, OPTIONS");
	});

	it("names the metadata URL in the 401 challenge, so a client finds it from one 401", async () => {
		const res = await request(app()).post("/mcp");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(`Bearer realm="api", resource_metadata="${METADATA_URL}"`);
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("authenticates every other request, on the well-known path too for other methods", async () => {
		const ok = await request(app())
			.post("/mcp")
			.set("Authorization", `Bearer ${await issuer.sign()}`);
		expect(ok.status).toBe(200);
		expect(ok.body).toEqual({ subject: "user_123" });
		const post = await request(app()).post("/.well-known/oauth-protected-resource/mcp");
		expect(post.status).toBe(401);
	});
});

describe("resourceMetadata(resource)", () => {
	it("serves the document for an app whose guards are only on some paths", async () => {
		const hono = new Hono<AuthEnv>();
		hono.use(resourceMetadata(options.resource!));
		hono.get("/health", (c) => c.text("ok"));
		hono.post("/mcp", requireAuth(options), (c) => c.json({ subject: c.get("auth")?.subject }));
		const server = nodeServer(hono);
		const res = await request(server).get("/.well-known/oauth-protected-resource/mcp");
		expect(res.status).toBe(200);
		expect(res.text).toBe(document());
		expect((await request(server).get("/health")).text).toBe("ok");
	});

	it("checks the document when it is created", () => {
		expect(() => resourceMetadata({ metadata: { resource: "mcp" } })).toThrow(TypeError);
	});
});
