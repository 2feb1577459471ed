import { type AuthResult, BearerError, InvalidTokenError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AuthEnv, type HonoAuthOptions, requireAuth } from "../src/index.js";
import { nodeServer } from "./support.js";

let issuer: TestIssuer;
let options: HonoAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

/** A Hono app on Node: `requireAuth` on every path, then a handler that answers `c.get('auth')`. */
function appWith(
	auth: HonoAuthOptions | MiddlewareHandler<AuthEnv>,
	configure?: (app: Hono<AuthEnv>) => void,
) {
	const seen: { auth?: AuthResult | undefined } = {};
	const app = new Hono<AuthEnv>();
	configure?.(app);
	app.use(typeof auth === "function" ? auth : requireAuth(auth));
	app.all("*", (c) => {
		seen.auth = c.get("auth");
		return c.json({ subject: c.get("auth")?.subject ?? null });
	});
	return { server: nodeServer(app), seen, app };
}

const EXPIRED_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="Token has expired"';
const expiredToken = () => issuer.sign({}, { expiresIn: -60 });

describe("requireAuth (Hono on Node)", () => {
	it("sets c.get('auth') for a valid token", async () => {
		const { server, seen } = appWith(options);
		const token = await issuer.sign({ permissions: ["read", "write"] });
		const res = await request(server).get("/").set("Authorization", `Bearer ${token}`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
		const auth = seen.auth!;
		expect(auth.token).toBe(token);
		expect(auth.header?.alg).toBe("RS256");
		expect(auth.issuer).toBe(issuer.issuer);
		expect([...auth.permissions].sort()).toEqual(["read", "write"]);
		expect(auth.expiresAt).toBe(auth.claims.exp);
	});

	it("answers a cached token synchronously too (second and third request)", async () => {
		const { server } = appWith(options);
		const token = await issuer.sign();
		for (let i = 0; i < 3; i++) {
			const res = await request(server).get("/").set("Authorization", `Bearer ${token}`);
			expect(res.status).toBe(200);
		}
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

	it("sees every Authorization header through Node's raw header lines", async () => {
		const token = await issuer.sign();
		const res = await request(appWith(options).server)
			.get("/")
			.set({ Authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		expect(res.status).toBe(400);
		expect(res.text).toBe('{"error":"invalid_request","message":"Duplicate Authorization header"}');
	});

	it("reads web Headers where there is no Node request (app.request)", async () => {
		const { app } = appWith(options);
		const ok = await app.request("/", { headers: { authorization: `Bearer ${await issuer.sign()}` } });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ subject: "user_123" });
		const missing = await app.request("/");
		expect(missing.status).toBe(401);
		expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="api"');
		expect(await missing.text()).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("keeps headers set by middleware before it on a failure", async () => {
		const { server } = appWith(options, (app) =>
			app.use(async (c, next) => {
				c.header("x-request-id", "r1");
				await next();
			}),
		);
		const res = await request(server).get("/");
		expect(res.status).toBe(401);
		expect(res.headers["x-request-id"]).toBe("r1");
	});

	it("optional: goes on without credentials, c.get('auth') undefined", async () => {
		const { server, seen } = appWith({ ...options, optional: true });
		const res = await request(server).get("/");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: null });
		expect(seen.auth).toBeUndefined();
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

	it("reads the token from the query when allowed, and refuses it twice there", async () => {
		const token = await issuer.sign();
		const server = appWith({ ...options, allowQueryToken: true }).server;
		const ok = await request(server).get(`/?access_token=${token}`);
		expect(ok.status).toBe(200);
		const twice = await request(server).get(`/?access_token=${token}&access_token=${token}`);
		expect(twice.status).toBe(400);
		expect(twice.text).toBe('{"error":"invalid_request","message":"Malformed Authorization header"}');
	});

	it("reads a form body's access_token when allowed, and the handler can still read the body", async () => {
		const token = await issuer.sign();
		const app = new Hono<AuthEnv>();
		app.post("/form", requireAuth({ ...options, allowBodyToken: true }), async (c) => {
			const body = await c.req.parseBody();
			return c.json({ subject: c.get("auth")?.subject, note: body.note });
		});
		const res = await request(nodeServer(app))
			.post("/form")
			.type("form")
			.send({ access_token: token, note: "hi" });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123", note: "hi" });
		const both = await request(nodeServer(app))
			.post("/form")
			.set("Authorization", `Bearer ${token}`)
			.type("form")
			.send({ access_token: token });
		expect(both.status).toBe(400);
		expect(both.text).toBe('{"error":"invalid_request","message":"Token sent by more than one method"}');
	});
});

describe("onError", () => {
	it("replaces the body with the object it returns, as JSON; status and headers stay", async () => {
		const calls: unknown[] = [];
		const { server } = appWith({
			...options,
			onError: (error, response, c) => {
				calls.push(error, response.status, c.req.path);
				return { code: error.code, reason: error.reason };
			},
		});
		const res = await request(server)
			.get("/here")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.text).toBe('{"code":"invalid_token","reason":"token_expired"}');
		expect(calls[0]).toBeInstanceOf(InvalidTokenError);
		expect(calls.slice(1)).toEqual([401, "/here"]);
	});

	it("a throwing hook goes to Hono's onError, never to the client as a stack", async () => {
		const errors: unknown[] = [];
		const { server } = appWith(
			{
				...options,
				onError: () => {
					throw new Error("hook failed");
				},
			},
			(app) =>
				app.onError((error, c) => {
					errors.push(error);
					return c.text("oops", 500);
				}),
		);
		const res = await request(server).get("/");
		expect(res.status).toBe(500);
		expect(res.text).toBe("oops");
		expect((errors[0] as Error).message).toBe("hook failed");
	});
});

describe("errorHandling: 'framework'", () => {
	it("Hono's default onError sends the HTTPException's response: the contract's answer", async () => {
		const res = await request(appWith({ ...options, errorHandling: "framework" }).server)
			.get("/")
			.set("Authorization", `Bearer ${await expiredToken()}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("app.onError gets an HTTPException whose cause is the BearerError", async () => {
		let caught: unknown;
		const { server } = appWith({ ...options, errorHandling: "framework" }, (app) =>
			app.onError((error, c) => {
				caught = error;
				return c.text("teapot", 418);
			}),
		);
		await request(server).get("/").expect(418);
		expect(caught).toBeInstanceOf(HTTPException);
		expect((caught as HTTPException).status).toBe(401);
		expect((caught as HTTPException).message).toBe("Missing bearer token");
		expect((caught as HTTPException).cause).toBeInstanceOf(BearerError);
		expect(((caught as HTTPException).cause as BearerError).reason).toBe("token_missing");
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
		let middleware: MiddlewareHandler<AuthEnv>;
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

describe("the verifier behind requireAuth (readiness)", () => {
	it("is reachable as .verifier: ready() loads the keys and health() says so", async () => {
		const auth = requireAuth({ ...options, realm: "ready-hono" });
		expect(auth.verifier.health().ready).toBe(false);
		await auth.verifier.ready();
		const health = auth.verifier.health();
		expect(health.ready).toBe(true);
		expect(health.issuers).toMatchObject([
			{ issuer: issuer.issuer, keySource: "jwks", ready: true, keys: 1 },
		]);
	});

	it("throws a TypeError that says which guard to ask, for a guard-only requireAuth with nothing configured", () => {
		const guardOnly = requireAuth({ permissions: ["read"] });
		expect(() => guardOnly.verifier).toThrow(
			new TypeError(
				"bearerguard: this requireAuth() has only guard options and nothing configures a verifier, so it has none: read .verifier of the requireAuth({ issuer, audience }) before it.",
			),
		);
	});
});
