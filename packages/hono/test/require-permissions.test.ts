import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Hono } from "hono";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type AuthEnv,
	GuardSetupError,
	type HonoAuthOptions,
	requireAuth,
	requirePermissions,
} from "../src/index.js";
import { nodeServer } from "./support.js";

let issuer: TestIssuer;
let options: HonoAuthOptions;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

function appWith(auth: HonoAuthOptions | undefined, permissions: string[]) {
	const app = new Hono<AuthEnv>();
	if (auth) app.use(requireAuth(auth));
	app.delete("/v1/products/:id", requirePermissions(...permissions), (c) =>
		c.json({ subject: c.get("auth")?.subject }),
	);
	return nodeServer(app);
}

const bearer = async (permissions: string[]) => `Bearer ${await issuer.sign({ permissions })}`;
const scopeChallenge = (realm: string, scope: string) =>
	`Bearer realm="${realm}", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="${scope}"`;

describe("requirePermissions", () => {
	it("lets a token with every permission through", async () => {
		const res = await request(appWith(options, ["delete"]))
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["read", "delete"]));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123" });
	});

	it("answers 403 naming every required permission when one is missing", async () => {
		const res = await request(appWith(options, ["delete", "admin"]))
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

	it("answers as its requireAuth was configured (realm, onError)", async () => {
		const res = await request(
			appWith({ ...options, realm: "products", onError: (error) => ({ reason: error.reason }) }, ["admin"]),
		)
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["read"]));
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(scopeChallenge("products", "admin"));
		expect(res.text).toBe('{"reason":"insufficient_scope"}');
	});

	it("is a programming error when no requireAuth ran before it: Hono's onError gets a GuardSetupError", async () => {
		const errors: unknown[] = [];
		const app = new Hono<AuthEnv>();
		app.onError((error, c) => {
			errors.push(error);
			return c.text("Internal Server Error", 500);
		});
		app.delete("/v1/products/:id", requirePermissions("delete", "admin"), (c) => c.json({ ok: true }));
		const res = await request(nodeServer(app))
			.delete("/v1/products/p_1")
			.set("Authorization", await bearer(["delete", "admin"]));
		expect(res.status).toBe(500);
		expect(res.headers["www-authenticate"]).toBeUndefined();
		expect(res.text).toBe("Internal Server Error");
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBeInstanceOf(GuardSetupError);
		expect((errors[0] as Error).message).toBe(
			"bearerguard: requirePermissions('delete', 'admin') ran with no requireAuth before it on this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())).",
		);
	});

	it("answers the bare 401 after an optional requireAuth that found no credentials", async () => {
		const res = await request(appWith({ ...options, optional: true }, ["delete"])).delete("/v1/products/p_1");
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("takes only scope-token names, when it is created", () => {
		expect(() => requirePermissions()).toThrow(TypeError);
		expect(() => requirePermissions("read write")).toThrow(TypeError);
		expect(() => requirePermissions('a"b')).toThrow(TypeError);
		expect(requirePermissions("read").name).toBe("requirePermissions");
	});
});
