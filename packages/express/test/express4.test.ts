import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import type express from "express";
import express4 from "express4";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExpressAuthOptions, requireAuth, requirePermissions } from "../src/index.js";

let issuer: TestIssuer;
let options: ExpressAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

/** An Express 4 app. This workspace types "express" as v5; Express 4 users' own types fit the middleware. */
function app4(auth: ExpressAuthOptions, ...permissions: string[]): express.Express {
	const app = express4() as unknown as express.Express;
	const guards = [requireAuth(auth), ...(permissions.length > 0 ? [requirePermissions(...permissions)] : [])];
	app.get("/me", ...guards, (req, res) => {
		res.json({ subject: req.auth?.subject ?? null, permissions: [...(req.auth?.permissions ?? [])] });
	});
	return app;
}

describe("Express 4", () => {
	it("sets req.auth for a valid token", async () => {
		const token = await issuer.sign({ permissions: ["read"] });
		const res = await request(app4(options)).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123", permissions: ["read"] });
	});

	it("answers a failure byte for byte as Express 5 does", async () => {
		const token = await issuer.sign({}, { expiresIn: -60 });
		const res = await request(app4(options)).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("requirePermissions answers 403 with the scope", async () => {
		const token = await issuer.sign({ permissions: ["read"] });
		const res = await request(app4(options, "write")).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toContain('scope="write"');
	});

	it("optional without credentials goes on", async () => {
		const res = await request(app4({ ...options, optional: true })).get("/me");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: null, permissions: [] });
	});

	it("errorHandling 'framework': Express 4's default handler keeps the status and WWW-Authenticate", async () => {
		const res = await request(app4({ ...options, errorHandling: "framework" })).get("/me");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
		expect(res.headers["content-type"]).toMatch(/^text\/html/);
	});

	it("onError replaces the body", async () => {
		const res = await request(app4({ ...options, onError: () => ({ denied: true }) })).get("/me");
		expect(res.status).toBe(401);
		expect(res.text).toBe('{"denied":true}');
	});
});
