import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Koa from "koa";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireAuth, resourceMetadata } from "../src/index.js";

const RESOURCE = "https://api.example.com/mcp";
let issuer: TestIssuer;
let resource: { metadata: { resource: string; authorization_servers: string[] } };

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: RESOURCE });
	resource = { metadata: { resource: RESOURCE, authorization_servers: [issuer.issuer] } };
});
afterAll(() => issuer.close());

describe("resourceMetadata (Koa)", () => {
	it("serves the document (GET, HEAD, OPTIONS) and passes other requests on", async () => {
		const app = new Koa();
		app.use(resourceMetadata(resource));
		app.use((ctx) => {
			ctx.body = "next";
		});
		const server = app.callback();
		const res = await request(server).get("/.well-known/oauth-protected-resource");
		expect(res.status).toBe(200);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("public, max-age=3600");
		expect(res.text).toBe(JSON.stringify(resource.metadata));
		const head = await request(server).head("/.well-known/oauth-protected-resource/mcp");
		expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(JSON.stringify(resource.metadata))));
		const preflight = await request(server).options("/.well-known/oauth-protected-resource/mcp");
		expect(preflight.status).toBe(204);
		expect(preflight.headers["access-control-allow-methods"]).toBe("GET, HEAD, OPTIONS");
		expect((await request(server).get("/other")).text).toBe("next");
	});

	it("requireAuth({ resource }) answers the metadata before authenticating", async () => {
		const app = new Koa();
		app.use(requireAuth({ issuer: issuer.issuer, audience: RESOURCE, resource }));
		app.use((ctx) => {
			ctx.body = { subject: ctx.state.auth?.subject };
		});
		const server = app.callback();
		expect((await request(server).get("/.well-known/oauth-protected-resource/mcp")).status).toBe(200);
		const refused = await request(server).get("/mcp");
		expect(refused.status).toBe(401);
		expect(refused.headers["www-authenticate"]).toBe(
			'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
		);
	});
});
