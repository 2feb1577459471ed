import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import express from "express";
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

describe("resourceMetadata (Express)", () => {
	it("serves the document where the guards are only on routes, and passes other requests on", async () => {
		const app = express();
		app.use(resourceMetadata(resource));
		app.get("/health", (_req, res) => {
			res.send("ok");
		});
		app.post("/mcp", requireAuth({ issuer: issuer.issuer, audience: RESOURCE, resource }), (req, res) => {
			res.json({ subject: req.auth?.subject });
		});
		const res = await request(app).get("/.well-known/oauth-protected-resource/mcp");
		expect(res.status).toBe(200);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.text).toBe(JSON.stringify(resource.metadata));
		expect((await request(app).get("/health")).text).toBe("ok");
		const refused = await request(app).post("/mcp");
		expect(refused.headers["www-authenticate"]).toBe(
			'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
		);
	});

	it("reads the path of the whole URL, even mounted under a prefix", async () => {
		const app = express();
		app.use("/.well-known", resourceMetadata(resource));
		expect((await request(app).get("/.well-known/oauth-protected-resource/mcp")).status).toBe(200);
	});

	it("checks the document when it is created", () => {
		expect(() => resourceMetadata({ metadata: { resource: "https://a.example/#frag" } })).toThrow(TypeError);
	});
});
