import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify from "fastify";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FastifyAuthOptions, requireAuth } from "../src/index.js";

let issuer: TestIssuer;
let options: FastifyAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

/** A Fastify app without the plugin: the named `requireAuth` hook only. */
async function appWith(hook: ReturnType<typeof requireAuth>) {
	const app = Fastify();
	app.get("/me", { onRequest: hook }, async (req) => ({ subject: req.auth?.subject ?? null }));
	await app.ready();
	return app;
}

describe("requireAuth without the plugin", () => {
	it("sets request.auth for a valid token", async () => {
		const app = await appWith(requireAuth(options));
		try {
			const res = await request(app.server)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign()}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ subject: "user_123" });
		} finally {
			await app.close();
		}
	});

	it("answers a failure with the contract's answer", async () => {
		const app = await appWith(requireAuth({ ...options, permissions: ["write"] }));
		try {
			const res = await request(app.server)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign({ permissions: ["read"] })}`);
			expect(res.status).toBe(403);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["cache-control"]).toBe("no-store");
			expect(res.headers["www-authenticate"]).toBe(
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
			);
			expect(res.text).toBe(
				'{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
			);
		} finally {
			await app.close();
		}
	});

	it("reads options not given from BEARERGUARD_* variables", async () => {
		vi.stubEnv("BEARERGUARD_ISSUER", issuer.issuer);
		vi.stubEnv("BEARERGUARD_AUDIENCE", issuer.audience);
		let hook: ReturnType<typeof requireAuth>;
		try {
			hook = requireAuth();
		} finally {
			vi.unstubAllEnvs();
		}
		const app = await appWith(hook);
		try {
			const res = await request(app.server)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign()}`);
			expect(res.body).toEqual({ subject: "user_123" });
		} finally {
			await app.close();
		}
	});

	it("works as a preHandler, where a form body's access_token is parsed (allowBodyToken)", async () => {
		const app = Fastify();
		app.addContentTypeParser(
			"application/x-www-form-urlencoded",
			{ parseAs: "string" },
			(_req, body, done) => {
				done(null, Object.fromEntries(new URLSearchParams(String(body))));
			},
		);
		app.post("/form", { preHandler: requireAuth({ ...options, allowBodyToken: true }) }, async (req) => ({
			subject: req.auth?.subject ?? null,
		}));
		await app.ready();
		try {
			const res = await request(app.server)
				.post("/form")
				.type("form")
				.send(`access_token=${await issuer.sign()}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ subject: "user_123" });
		} finally {
			await app.close();
		}
	});

	it("throws a TypeError when it runs, not per request", () => {
		expect(() => requireAuth({ ...options, onError: "x" as unknown as () => undefined })).toThrow(TypeError);
		expect(() => requireAuth({ audience: "https://api.example.test" })).toThrow(TypeError);
		expect(requireAuth(options).name).toBe("requireAuth");
	});
});
