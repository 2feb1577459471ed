import type { AuthResult } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Controller, Post } from "@nestjs/common";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth, BearerGuardModule, type NestAuthOptions } from "../src/index.js";
import { PLATFORMS, type RunningNest, startNest } from "./support.js";

const RESOURCE = "https://api.example.com/mcp";
const METADATA_URL = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

let issuer: TestIssuer;
let options: NestAuthOptions;
beforeAll(async () => {
	issuer = await createTestIssuer({ audience: RESOURCE });
	options = {
		issuer: issuer.issuer,
		audience: RESOURCE,
		resource: {
			metadata: { resource: RESOURCE, authorization_servers: [issuer.issuer], scopes_supported: ["read"] },
		},
	};
});
afterAll(() => issuer.close());

@Controller("mcp")
class McpController {
	@Post()
	call(@Auth("subject") subject: AuthResult["subject"]) {
		return { subject };
	}
}

describe.each(PLATFORMS)("protected resource metadata on Nest's %s platform", (platform) => {
	let nest: RunningNest;
	const document = () =>
		JSON.stringify({
			resource: RESOURCE,
			authorization_servers: [issuer.issuer],
			scopes_supported: ["read"],
		});

	beforeAll(async () => {
		// A global guard and a global prefix: the metadata is served outside both.
		nest = await startNest(
			platform,
			{
				imports: [BearerGuardModule.forRoot({ ...options, globalGuard: true })],
				controllers: [McpController],
			},
			(app) => app.setGlobalPrefix("v1"),
		);
	});
	afterAll(() => nest.close());

	it("serves the document at the path-suffixed and the bare well-known path", async () => {
		for (const path of [
			"/.well-known/oauth-protected-resource/mcp",
			"/.well-known/oauth-protected-resource",
		]) {
			const res = await request(nest.url).get(path);
			expect(res.status).toBe(200);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["cache-control"]).toBe("public, max-age=3600");
			expect(res.headers["access-control-allow-origin"]).toBe("*");
			expect(res.text).toBe(document());
		}
	});

	it("answers HEAD with the document's length and no body, and the CORS preflight", async () => {
		const head = await request(nest.url).head("/.well-known/oauth-protected-resource/mcp");
		expect(head.status).toBe(200);
		expect(head.headers["content-type"]).toBe("application/json");
		expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(document())));
		const preflight = await request(nest.url)
			.options("/.well-known/oauth-protected-resource/mcp")
			.set("Origin", "https://client.example")
			.set("Access-Control-Request-Method", "GET")
			.set("Access-Control-Request-Headers", "mcp-protocol-version");
		expect(preflight.status).toBe(204);
		expect(preflight.headers["access-control-allow-origin"]).toBe("*");
		expect(preflight.headers["access-control-allow-headers"]).toBe("*");
	});

	it("names the metadata URL in every 401 challenge", async () => {
		const none = await request(nest.url).post("/v1/mcp");
		expect(none.status).toBe(401);
		expect(none.headers["www-authenticate"]).toBe(`Bearer realm="api", resource_metadata="${METADATA_URL}"`);
		const expired = await request(nest.url)
			.post("/v1/mcp")
			.set("Authorization", `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`);
		expect(expired.headers["www-authenticate"]).toBe(
			`Bearer realm="api", error="invalid_token", error_description="Token has expired", resource_metadata="${METADATA_URL}"`,
		);
		const ok = await request(nest.url)
			.post("/v1/mcp")
			.set("Authorization", `Bearer ${await issuer.sign()}`);
		expect(ok.status).toBe(201);
		expect(ok.body).toEqual({ subject: "user_123" });
	});
});
