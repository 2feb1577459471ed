import { BearerError, GuardSetupError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import express from "express";
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

function appWith(auth: ExpressAuthOptions | undefined, ...permissions: string[]) {
	const app = express();
	if (auth) app.use(requireAuth(auth));
	app.delete("/v1/products/:id", requirePermissions(...permissions), (req, res) => {
		res.json({ id: req.params.id, subject: req.auth?.subject });
	});
	return app;
}

const bearer = async (permissions: string[]) => `Bearer ${await issuer.sign({ permissions })}`;
const scopeChallenge = (realm: string, scope: string) =>
	`Bearer realm="${realm}", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="${scope}"`;

describe("requirePermissions", () => {
	it("lets a token with every permission through", async () => {
		const res = await request(appWith(options, "delete"))
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["read", "delete"]));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ id: "p_1", subject: "user_123" });
	});

	it("answers 403 naming every required permission when one is missing", async () => {
		const res = await request(appWith(options, "delete", "admin"))
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["delete"]));
		expect(res.status).toBe(403);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe(scopeChallenge("api", "delete admin"));
		expect(res.text).toBe(
			'{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		);
	});

	it("is a programming error when no requireAuth ran before it: next(err) gets the GuardSetupError, the client a generic 500", async () => {
		const caught: unknown[] = [];
		const app = appWith(undefined, "delete");
		app.set("env", "production");
		app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
			caught.push(error);
			next(error);
		});
		// A valid token: the answer must never be a 401 "Missing bearer token".
		const res = await request(app)
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["delete"]));
		expect(res.status).toBe(500);
		expect(res.headers["www-authenticate"]).toBeUndefined();
		expect(res.text).toContain("Internal Server Error");
		expect(res.text).not.toContain("requirePermissions");
		expect(caught).toHaveLength(1);
		expect(caught[0]).toBeInstanceOf(GuardSetupError);
		expect((caught[0] as Error).message).toBe(
			"bearerguard: requirePermissions('delete') ran with no requireAuth before it on this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())).",
		);
	});

	it("does not take a req.auth that bearerguard did not make for a verified one", async () => {
		const caught: unknown[] = [];
		const app = express();
		app.use((req, _res, next) => {
			(req as { auth?: unknown }).auth = { permissions: new Set(["delete"]), subject: "forged" };
			next();
		});
		app.delete("/v1/products/:id", requirePermissions("delete"), (_req, res) => {
			res.json({ reached: true });
		});
		app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
			caught.push(error);
			res.status(500).end();
		});
		const res = await request(app).delete("/v1/products/p_1");
		expect(res.status).toBe(500);
		expect(caught[0]).toBeInstanceOf(GuardSetupError);
	});

	it("answers the bare 401 after an optional requireAuth without credentials", async () => {
		const res = await request(appWith({ ...options, optional: true }, "delete")).delete("/v1/products/p_1");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
	});

	it("answers as its requireAuth was configured: realm and onError", async () => {
		const app = appWith({ ...options, realm: "shop", onError: (error) => ({ oops: error.code }) }, "delete");
		const res = await request(app)
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["read"]));
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(scopeChallenge("shop", "delete"));
		expect(res.body).toEqual({ oops: "insufficient_scope" });
	});

	it("answers as its requireAuth was configured: errorHandling 'framework'", async () => {
		let caught: unknown;
		const app = appWith({ ...options, errorHandling: "framework" }, "delete");
		app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
			caught = err;
			res.status(599).end();
		});
		await request(app)
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["read"]))
			.expect(599);
		expect(caught).toBeInstanceOf(BearerError);
		expect((caught as BearerError).status).toBe(403);
	});

	it("refuses bad permission names when it is called", () => {
		expect(() => requirePermissions()).toThrow(TypeError);
		expect(() => requirePermissions("two words")).toThrow(TypeError);
		expect(() => requirePermissions('"quoted"')).toThrow(TypeError);
		expect(requirePermissions("write").name).toBe("requirePermissions");
	});
});
