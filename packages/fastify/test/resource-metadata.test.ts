import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bearerGuard, { registerResourceMetadata, requireAuth } from "../src/index.js";

const RESOURCE = "https://api.example.com/mcp";
let issuer: TestIssuer;
let resource: { metadata: { resource: string; authorization_servers: string[] } };

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: RESOURCE });
	resource = { metadata: { resource: RESOURCE, authorization_servers: [issuer.issuer] } };
});
afterAll(() => issuer.close());

describe("protected resource metadata (Fastify)", () => {
	it("the plugin with resource registers GET, HEAD and OPTIONS on both paths", async () => {
		const app = Fastify();
		await app.register(bearerGuard, { issuer: issuer.issuer, audience: RESOURCE, resource });
		for (const url of [
			"/.well-known/oauth-protected-resource/mcp",
			"/.well-known/oauth-protected-resource",
		]) {
			const res = await app.inject({ method: "GET", url });
			expect(res.statusCode).toBe(200);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["access-control-allow-origin"]).toBe("*");
			expect(res.body).toBe(JSON.stringify(resource.metadata));
		}
		const head = await app.inject({ method: "HEAD", url: "/.well-known/oauth-protected-resource/mcp" });
		expect(head.statusCode).toBe(200);
		expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(JSON.stringify(resource.metadata))));
		expect(head.body).toBe("");
		const preflight = await app.inject({
			method: "OPTIONS",
			url: "/.well-known/oauth-protected-resource/mcp",
		});
		expect(preflight.statusCode).toBe(204);
		await app.close();
	});

	it("registerResourceMetadata serves it for an app that uses requireAuth without the plugin", async () => {
		const app = Fastify();
		registerResourceMetadata(app, resource);
		app.post(
			"/mcp",
			{ onRequest: requireAuth({ issuer: issuer.issuer, audience: RESOURCE, resource }) },
			async () => ({}),
		);
		expect(
			(await app.inject({ method: "GET", url: "/.well-known/oauth-protected-resource" })).statusCode,
		).toBe(200);
		const refused = await app.inject({ method: "POST", url: "/mcp" });
		expect(refused.headers["www-authenticate"]).toBe(
			'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
		);
		await app.close();
	});

	it("a bad document rejects register", async () => {
		const app = Fastify();
		await expect(
			app.register(bearerGuard, {
				issuer: issuer.issuer,
				audience: RESOURCE,
				resource: { metadata: {} as never },
			}),
		).rejects.toThrow(TypeError);
	});
});
