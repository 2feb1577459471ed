import {
	type AuthResult,
	BearerError,
	InvalidTokenError,
	invalidToken,
	toErrorResponse,
} from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import express, { type ErrorRequestHandler } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ExpressAuthOptions, requireAuth } from "../src/index.js";

let issuer: TestIssuer;
let options: ExpressAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: "https://api.example.test" });
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

/** An app with one guarded route that answers `req.auth` and keeps it for inspection. */
function appWith(auth: ExpressAuthOptions, onError?: ErrorRequestHandler) {
	const seen: { auth?: AuthResult | undefined } = {};
	const app = express();
	app.get("/me", requireAuth(auth), (req, res) => {
		seen.auth = req.auth;
		res.json({ subject: req.auth?.subject ?? null });
	});
	if (onError) app.use(onError);
	return { app, seen };
}

const expired = toErrorResponse(invalidToken("token_expired"));

describe("requireAuth (Express 5)", () => {
	it("sets req.auth for a valid token", async () => {
		const { app, seen } = appWith(options);
		const token = await issuer.sign({ permissions: ["read", "write"], org_id: "org_1" });
		const res = await request(app).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
		const auth = seen.auth!;
		expect(auth.token).toBe(token);
		expect(auth.header?.alg).toBe("RS256");
		expect(auth.claims.sub).toBe("user_123");
		expect(auth.subject).toBe("user_123");
		expect(auth.issuer).toBe(issuer.issuer);
		expect(auth.permissions).toBeInstanceOf(Set);
		expect([...auth.permissions].sort()).toEqual(["read", "write"]);
		expect(auth.expiresAt).toBe(auth.claims.exp);
	});

	it("answers a failure with the contract's status, headers and body, as is", async () => {
		const { app } = appWith(options);
		const token = await issuer.sign({}, { expiresIn: -60 });
		const res = await request(app).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(expired.headers["www-authenticate"]);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("answers the bare 401 without credentials", async () => {
		const res = await request(appWith(options).app).get("/me");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
	});

	it("sees every Authorization header, though Node keeps only the first", async () => {
		const token = await issuer.sign();
		const res = await request(appWith(options).app)
			.get("/me")
			.set({ Authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ error: "invalid_request", message: "Duplicate Authorization header" });
	});

	it("uses the configured realm", async () => {
		const res = await request(appWith({ ...options, realm: "products" }).app).get("/me");
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="products"');
	});

	it("optional: goes on without credentials, req.auth undefined", async () => {
		const { app, seen } = appWith({ ...options, optional: true });
		const res = await request(app).get("/me");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: null });
		expect(seen.auth).toBeUndefined();
	});

	it("optional: a bad token still fails", async () => {
		const res = await request(appWith({ ...options, optional: true }).app)
			.get("/me")
			.set("Authorization", "Bearer abc.def.ghi");
		expect(res.status).toBe(401);
		expect(res.body).toEqual({ error: "invalid_token", message: "Malformed token" });
	});

	it("guard permissions: 403 with the scope", async () => {
		const token = await issuer.sign({ permissions: ["read"] });
		const res = await request(appWith({ ...options, permissions: ["write"] }).app)
			.get("/me")
			.set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
		);
	});

	it("shares one verifier (one JWKS fetch) between middleware with the same options", async () => {
		const own = await createTestIssuer();
		try {
			const app = express();
			const ownOptions = { issuer: own.issuer, audience: own.audience };
			app.get("/a", requireAuth(ownOptions), (_req, res) => res.end("a"));
			app.get("/b", requireAuth({ ...ownOptions, permissions: ["read"] }), (_req, res) => res.end("b"));
			const token = await own.sign({ permissions: ["read"] });
			await request(app).get("/a").set("Authorization", `Bearer ${token}`).expect(200);
			await request(app).get("/b").set("Authorization", `Bearer ${token}`).expect(200);
			expect(own.requests.jwks).toBe(1);
		} finally {
			await own.close();
		}
	});
});

describe("onError", () => {
	it("replaces the body with the object it returns, as JSON; status and headers stay", async () => {
		const calls: unknown[] = [];
		const { app } = appWith({
			...options,
			onError: (error, response) => {
				calls.push(error, response);
				return { code: error.code, reason: error.reason };
			},
		});
		const res = await request(app)
			.get("/me")
			.set("Authorization", `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(expired.headers["www-authenticate"]);
		expect(res.text).toBe('{"code":"invalid_token","reason":"token_expired"}');
		expect(calls[0]).toBeInstanceOf(InvalidTokenError);
		expect(calls[1]).toEqual(expired);
	});

	it("sends a string as is", async () => {
		const res = await request(appWith({ ...options, onError: () => "nope" }).app)
			.get("/me")
			.responseType("blob");
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(String(res.body)).toBe("nope");
	});

	it("keeps the default body when it returns undefined", async () => {
		const res = await request(appWith({ ...options, onError: () => undefined }).app).get("/me");
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("hands its own error to Express", async () => {
		const handler: ErrorRequestHandler = (err: Error, _req, res, _next) => {
			res.status(500).json({ caught: err.message });
		};
		const { app } = appWith(
			{
				...options,
				onError: () => {
					throw new Error("hook failed");
				},
			},
			handler,
		);
		const res = await request(app).get("/me");
		expect(res.status).toBe(500);
		expect(res.body).toEqual({ caught: "hook failed" });
	});
});

describe("errorHandling: 'framework'", () => {
	it("Express's default handler keeps the status and WWW-Authenticate", async () => {
		const { app } = appWith({ ...options, errorHandling: "framework" });
		const res = await request(app)
			.get("/me")
			.set("Authorization", `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(expired.headers["www-authenticate"]);
		expect(res.headers["content-type"]).toMatch(/^text\/html/);
	});

	it("an error middleware gets the BearerError", async () => {
		let caught: unknown;
		const { app } = appWith({ ...options, errorHandling: "framework" }, (err, _req, res, _next) => {
			caught = err;
			res.status(418).end();
		});
		await request(app).get("/me").expect(418);
		expect(caught).toBeInstanceOf(BearerError);
		expect((caught as BearerError).reason).toBe("token_missing");
	});
});

describe("configuration", () => {
	it("throws a TypeError when requireAuth() runs, not per request", () => {
		expect(() => requireAuth({ ...options, errorHandling: "throw" as "respond" })).toThrow(TypeError);
		expect(() => requireAuth({ ...options, onError: "no" as unknown as () => undefined })).toThrow(TypeError);
		expect(() => requireAuth({ audience: "https://api.example.test" })).toThrow(TypeError);
	});

	it("reads options not given from BEARERGUARD_* variables", async () => {
		vi.stubEnv("BEARERGUARD_ISSUER", issuer.issuer);
		vi.stubEnv("BEARERGUARD_AUDIENCE", issuer.audience);
		let middleware: express.RequestHandler;
		try {
			middleware = requireAuth({ permissions: ["write"] });
		} finally {
			vi.unstubAllEnvs();
		}
		const app = express();
		app.get("/me", middleware, (req, res) => res.json({ subject: req.auth?.subject }));
		const token = await issuer.sign({ permissions: ["write"] });
		const res = await request(app).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
	});

	it("names the middleware, for stack traces", () => {
		expect(requireAuth(options).name).toBe("requireAuth");
	});
});
