import { type AuthResult, BearerError, InvalidTokenError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify, { type FastifyInstance } from "fastify";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import bearerGuard, { type FastifyAuthOptions } from "../src/index.js";

let issuer: TestIssuer;
let options: FastifyAuthOptions;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());
afterEach(async () => {
	await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A Fastify app with the plugin and one route guarded by `app.requireAuth(route)`. */
async function appWith(plugin: FastifyAuthOptions, route?: FastifyAuthOptions) {
	const seen: { auth?: AuthResult | null } = {};
	const app = Fastify();
	apps.push(app);
	await app.register(bearerGuard, plugin);
	app.get("/open", async (req) => ({ auth: req.auth }));
	app.get("/me", { onRequest: app.requireAuth(route) }, async (req) => {
		seen.auth = req.auth;
		return { subject: req.auth?.subject ?? null };
	});
	await app.ready();
	return { server: app.server, app, seen };
}

const EXPIRED_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="Token has expired"';
const expiredToken = () => issuer.sign({}, { expiresIn: -60 });

describe("the plugin", () => {
	it("decorates request.auth with null, and sets it for a valid token", async () => {
		const { server, seen } = await appWith(options);
		expect((await request(server).get("/open")).body).toEqual({ auth: null });
		const token = await issuer.sign({ permissions: ["read", "write"] });
		const res = await request(server).get("/me").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
		const auth = seen.auth!;
		expect(auth.token).toBe(token);
		expect(auth.header?.alg).toBe("RS256");
		expect(auth.claims.sub).toBe("user_123");
		expect(auth.issuer).toBe(issuer.issuer);
		expect(auth.permissions).toBeInstanceOf(Set);
		expect([...auth.permissions].sort()).toEqual(["read", "write"]);
		expect(auth.expiresAt).toBe(auth.claims.exp);
	});

	it("answers a failure with the contract's status, headers and body, as is (no charset)", async () => {
		const { server } = await appWith(options);
		const res = await request(server)
			.get("/me")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("merges the route's options over the plugin's", async () => {
		const { server } = await appWith(
			{ ...options, realm: "shop", permissions: ["read"] },
			{ permissions: ["write"] },
		);
		const res = await request(server)
			.get("/me")
			.set("Authorization", `Bearer ${await issuer.sign({ permissions: ["read"] })}`);
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="shop", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
		);
	});

	it("works under a prefix (register's own options are not the verifier's)", async () => {
		const app = Fastify();
		apps.push(app);
		await app.register(
			async (child) => {
				await child.register(bearerGuard, options);
				child.get("/me", { onRequest: child.requireAuth() }, async (req) => ({ subject: req.auth?.subject }));
			},
			{ prefix: "/v1" },
		);
		await app.ready();
		const res = await request(app.server)
			.get("/v1/me")
			.set("Authorization", `Bearer ${await issuer.sign()}`);
		expect(res.body).toEqual({ subject: "user_123" });
	});

	it("sees every Authorization header, though Node keeps only the first", async () => {
		const { server } = await appWith(options);
		const token = await issuer.sign();
		const res = await request(server)
			.get("/me")
			.set({ Authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ error: "invalid_request", message: "Duplicate Authorization header" });
	});

	it("optional: goes on without credentials, request.auth null", async () => {
		const { server, seen } = await appWith(options, { optional: true });
		const res = await request(server).get("/me");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: null });
		expect(seen.auth).toBeNull();
	});

	it("optional: a bad token still fails", async () => {
		const { server } = await appWith(options, { optional: true });
		const res = await request(server)
			.get("/me")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
	});

	it("refuses bad adapter options at registration", async () => {
		const app = Fastify();
		apps.push(app);
		await expect(
			app.register(bearerGuard, { ...options, errorHandling: "throw" as "respond" }),
		).rejects.toThrow(TypeError);
	});

	it("refuses a configuration without an issuer at registration, not at the first app.requireAuth()", async () => {
		const app = Fastify();
		apps.push(app);
		const saved = process.env.BEARERGUARD_ISSUER;
		delete process.env.BEARERGUARD_ISSUER;
		try {
			await expect(app.register(bearerGuard, { audience: "https://api.example.test" })).rejects.toEqual(
				new TypeError(
					'bearerguard: "issuer" is required: pass { issuer } or set BEARERGUARD_ISSUER (e.g. "https://auth.example.com/").',
				),
			);
		} finally {
			if (saved !== undefined) process.env.BEARERGUARD_ISSUER = saved;
		}
	});

	it("refuses a bad configuration of a route when app.requireAuth() runs", async () => {
		const app = Fastify();
		apps.push(app);
		await app.register(bearerGuard, options);
		expect(() => app.requireAuth({ clockTolerance: "soon" })).toThrow(
			new TypeError(
				"bearerguard: \"clockTolerance\" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.",
			),
		);
	});
});

describe("onError", () => {
	it("replaces the body with the object it returns, as JSON; status and headers stay", async () => {
		const calls: unknown[] = [];
		const { server } = await appWith({
			...options,
			onError: (error, response) => {
				calls.push(error, response.status);
				return { code: error.code, reason: error.reason };
			},
		});
		const res = await request(server)
			.get("/me")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.text).toBe('{"code":"invalid_token","reason":"token_expired"}');
		expect(calls[0]).toBeInstanceOf(InvalidTokenError);
		expect(calls[1]).toBe(401);
	});

	it("sends a string as is", async () => {
		const { server } = await appWith(options, { onError: () => "nope" });
		const res = await request(server).get("/me").responseType("blob");
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(String(res.body)).toBe("nope");
	});

	it("keeps the default body when it returns undefined", async () => {
		const { server } = await appWith(options, { onError: () => undefined });
		const res = await request(server).get("/me");
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("hands its own error to Fastify's error handler", async () => {
		const { server } = await appWith(options, {
			onError: () => {
				throw new Error("hook failed");
			},
		});
		const res = await request(server).get("/me");
		expect(res.status).toBe(500);
		expect(res.body).toMatchObject({ statusCode: 500, message: "hook failed" });
	});
});

describe("errorHandling: 'framework'", () => {
	it("Fastify's default error handler keeps the status and WWW-Authenticate", async () => {
		const { server } = await appWith(options, { errorHandling: "framework" });
		const res = await request(server)
			.get("/me")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.body).toMatchObject({ statusCode: 401, code: "invalid_token", message: "Token has expired" });
	});

	it("setErrorHandler gets the BearerError", async () => {
		const app = Fastify();
		apps.push(app);
		let caught: unknown;
		app.setErrorHandler((error, _req, reply) => {
			caught = error;
			return reply.code(418).send();
		});
		await app.register(bearerGuard, { ...options, errorHandling: "framework" });
		app.get("/me", { onRequest: app.requireAuth() }, async () => "ok");
		await app.ready();
		await request(app.server).get("/me").expect(418);
		expect(caught).toBeInstanceOf(BearerError);
		expect((caught as BearerError).reason).toBe("token_missing");
	});
});
