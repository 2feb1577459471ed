import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Koa2 from "koa2";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KoaAuthOptions, requireAuth, requirePermissions } from "../src/index.js";

let issuer: TestIssuer;
let options: KoaAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

function app2(auth: KoaAuthOptions, ...permissions: string[]) {
	const app = new Koa2();
	app.use(requireAuth(auth));
	if (permissions.length > 0) app.use(requirePermissions(...permissions));
	app.use((ctx) => {
		ctx.body = { subject: ctx.state.auth?.subject ?? null };
	});
	return app.callback();
}

describe("Koa 2", () => {
	it("sets ctx.state.auth for a valid token", async () => {
		const res = await request(app2(options))
			.get("/")
			.set("Authorization", `Bearer ${await issuer.sign()}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
	});

	it("answers a failure byte for byte as with Koa 3", async () => {
		const res = await request(app2(options))
			.get("/")
			.set("Authorization", `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("requirePermissions answers 403 with the scope", async () => {
		const res = await request(app2(options, "write"))
			.get("/")
			.set("Authorization", `Bearer ${await issuer.sign({ permissions: ["read"] })}`);
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toContain('scope="write"');
	});

	it("errorHandling 'framework': Koa 2's ctx.onerror keeps the status and WWW-Authenticate", async () => {
		const res = await request(app2({ ...options, errorHandling: "framework" })).get("/");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
		expect(res.text).toBe("Missing bearer token");
	});
});
