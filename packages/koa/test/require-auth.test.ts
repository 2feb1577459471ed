import { type AuthResult, BearerError, InvalidTokenError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Koa, { type Middleware } from "koa";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type KoaAuthOptions, requireAuth } from "../src/index.js";

let issuer: TestIssuer;
let options: KoaAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

/** A Koa app: optional middleware in front, `requireAuth`, then a handler that answers `ctx.state.auth`. */
function appWith(auth: KoaAuthOptions | Middleware, ...before: Middleware[]) {
	const seen: { auth?: AuthResult | undefined } = {};
	const app = new Koa();
	for (const middleware of before) app.use(middleware);
	app.use(typeof auth === "function" ? auth : requireAuth(auth));
	app.use((ctx) => {
		seen.auth = ctx.state.auth;
		ctx.body = { subject: ctx.state.auth?.subject ?? null };
	});
	return { server: app.callback(), seen };
}

const EXPIRED_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="Token has expired"';
const expiredToken = () => issuer.sign({}, { expiresIn: -60 });

describe("requireAuth (Koa 3)", () => {
	it("sets ctx.state.auth for a valid token", async () => {
		const { server, seen } = appWith(options);
		const token = await issuer.sign({ permissions: ["read", "write"] });
		const res = await request(server).get("/").set("Authorization", `Bearer ${token}`);
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

	it("answers a failure with the contract's status, headers and body, as is", async () => {
		const res = await request(appWith(options).server)
			.get("/")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("sees every Authorization header, though Node keeps only the first", async () => {
		const token = await issuer.sign();
		const res = await request(appWith(options).server)
			.get("/")
			.set({ Authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ error: "invalid_request", message: "Duplicate Authorization header" });
	});

	it("uses the configured realm", async () => {
		const res = await request(appWith({ ...options, realm: "products" }).server).get("/");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="products"');
	});

	it("optional: goes on without credentials, ctx.state.auth undefined", async () => {
		const { server, seen } = appWith({ ...options, optional: true });
		const res = await request(server).get("/");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: null });
		expect(seen.auth).toBeUndefined();
	});

	it("optional: a bad token still fails", async () => {
		const res = await request(appWith({ ...options, optional: true }).server)
			.get("/")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
	});

	it("guard anyPermission: 403 whose scope lists the alternatives", async () => {
		const token = await issuer.sign({ permissions: ["read"] });
		const res = await request(appWith({ ...options, anyPermission: ["write", "admin"] }).server)
			.get("/")
			.set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write admin"',
		);
	});
});

describe("onError", () => {
	it("replaces the body with the object it returns, as JSON; status and headers stay", async () => {
		const calls: unknown[] = [];
		const { server } = appWith({
			...options,
			onError: (error, response) => {
				calls.push(error, response.status);
				return { code: error.code, reason: error.reason };
			},
		});
		const res = await request(server)
			.get("/")
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
		const res = await request(appWith({ ...options, onError: () => "nope" }).server)
			.get("/")
			.responseType("blob");
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(String(res.body)).toBe("nope");
	});

	it("keeps the default body when it returns undefined", async () => {
		const res = await request(appWith({ ...options, onError: () => undefined }).server).get("/");
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});
});

describe("errorHandling: 'framework'", () => {
	it("Koa's default ctx.onerror keeps the status, WWW-Authenticate and the message", async () => {
		const res = await request(appWith({ ...options, errorHandling: "framework" }).server)
			.get("/")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.headers["content-type"]).toMatch(/^text\/plain/);
		expect(res.text).toBe("Token has expired");
	});

	it("an upstream middleware catches the BearerError", async () => {
		let caught: unknown;
		const catcher: Middleware = async (ctx, next) => {
			try {
				await next();
			} catch (error) {
				caught = error;
				ctx.status = 418;
			}
		};
		await request(appWith({ ...options, errorHandling: "framework" }, catcher).server)
			.get("/")
			.expect(418);
		expect(caught).toBeInstanceOf(BearerError);
		expect((caught as BearerError).reason).toBe("token_missing");
	});
});

describe("configuration", () => {
	it("throws a TypeError when requireAuth() runs, not per request", () => {
		expect(() => requireAuth({ ...options, errorHandling: "throw" as "respond" })).toThrow(TypeError);
		expect(() => requireAuth({ ...options, onError: 1 as unknown as () => undefined })).toThrow(TypeError);
		expect(() => requireAuth({ audience: "https://api.example.test" })).toThrow(TypeError);
	});

	it("reads options not given from BEARERGUARD_* variables", async () => {
		vi.stubEnv("BEARERGUARD_ISSUER", issuer.issuer);
		vi.stubEnv("BEARERGUARD_AUDIENCE", issuer.audience);
		let middleware: Middleware;
		try {
			middleware = requireAuth({ permissions: ["write"] });
		} finally {
			vi.unstubAllEnvs();
		}
		const token = await issuer.sign({ permissions: ["write"] });
		const res = await request(appWith(middleware).server).get("/").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
	});

	it("names the middleware, for stack traces", () => {
		expect(requireAuth(options).name).toBe("requireAuth");
	});
});
