import type { AuthResult } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Controller, Get, Post, UseGuards } from "@nestjs/common";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	AnyPermission,
	Auth,
	BearerGuard,
	BearerGuardModule,
	OptionalAuth,
	Public,
	RequirePermissions,
} from "../src/index.js";
import { PLATFORMS, type RunningNest, startNest } from "./support.js";

let issuer: TestIssuer;
beforeAll(async () => {
	issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

const summary = (auth: AuthResult | undefined) =>
	auth === undefined ? { auth: null } : { subject: auth.subject, permissions: [...auth.permissions].sort() };

@Controller("products")
@UseGuards(BearerGuard)
@RequirePermissions("read")
class ProductsController {
	@Get()
	list(@Auth() auth: AuthResult) {
		return summary(auth);
	}

	@Post()
	@RequirePermissions("write")
	create(
		@Auth("subject") subject: string | undefined,
		@Auth("organization") organization: string | undefined,
	) {
		return { subject, organization: organization ?? null };
	}

	@Get("any")
	@AnyPermission("admin", "auditor")
	any(@Auth() auth: AuthResult) {
		return summary(auth);
	}
}

@Controller("open")
@UseGuards(BearerGuard)
@Public()
class OpenController {
	@Get()
	open(@Auth() auth: AuthResult | undefined) {
		return summary(auth);
	}

	@Get("admin")
	@RequirePermissions("admin")
	admin(@Auth() auth: AuthResult) {
		return summary(auth);
	}
}

@Controller("mixed")
@UseGuards(BearerGuard)
class MixedController {
	@Public()
	@Get("health")
	health() {
		return { status: "ok" };
	}

	@OptionalAuth()
	@Get("optional")
	optional(@Auth() auth: AuthResult | undefined) {
		return summary(auth);
	}
}

const FORBIDDEN = "Insufficient permissions for the requested operation";
const scopeChallenge = (scope: string) =>
	`Bearer realm="api", error="insufficient_scope", error_description="${FORBIDDEN}", scope="${scope}"`;
const bearer = async (claims: Record<string, unknown> = {}) => `Bearer ${await issuer.sign(claims)}`;

describe.each(PLATFORMS)("BearerGuard on Nest's %s platform", (platform) => {
	let nest: RunningNest;
	beforeAll(async () => {
		nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot({ issuer: issuer.issuer, audience: issuer.audience })],
			controllers: [ProductsController, OpenController, MixedController],
		});
	});
	afterAll(() => nest.close());

	it("lets a valid token through and gives the handler @Auth()", async () => {
		const res = await request(nest.url)
			.get("/products")
			.set("Authorization", await bearer({ permissions: ["read"] }));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ subject: "user_123", permissions: ["read"] });
	});

	it("answers the same token from the cache (synchronously) just as well", async () => {
		const authorization = await bearer({ permissions: ["read"] });
		for (let i = 0; i < 3; i++) {
			const res = await request(nest.url).get("/products").set("Authorization", authorization);
			expect(res.status).toBe(200);
		}
	});

	it("gives one field with @Auth('subject')", async () => {
		const res = await request(nest.url)
			.post("/products")
			.set("Authorization", await bearer({ permissions: ["read", "write"], org_id: "org_acme" }));
		expect(res.status).toBe(201);
		expect(res.body).toEqual({ subject: "user_123", organization: null });
	});

	it("answers no credentials with the contract's bytes", async () => {
		const res = await request(nest.url).get("/products");
		expect(res.status).toBe(401);
		expect(res.headers["content-type"]).toBe("application/json");
		expect(res.headers["cache-control"]).toBe("no-store");
		expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
	});

	it("answers an expired token with the contract's bytes", async () => {
		const res = await request(nest.url)
			.get("/products")
			.set("Authorization", `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`);
		expect(res.status).toBe(401);
		expect(res.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		);
		expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
	});

	it("sees a duplicated Authorization header", async () => {
		const authorization = await bearer({ permissions: ["read"] });
		const res = await request(nest.url)
			.get("/products")
			.set({ Authorization: [authorization, authorization] });
		expect(res.status).toBe(400);
		expect(res.text).toBe('{"error":"invalid_request","message":"Duplicate Authorization header"}');
	});

	it("adds up the controller's and the method's @RequirePermissions", async () => {
		const res = await request(nest.url)
			.post("/products")
			.set("Authorization", await bearer({ permissions: ["write"] }));
		expect(res.status).toBe(403);
		expect(res.headers["www-authenticate"]).toBe(scopeChallenge("read write"));
		expect(res.text).toBe(`{"error":"insufficient_scope","message":"${FORBIDDEN}"}`);
	});

	it("@AnyPermission: one of them, and the controller's permissions too", async () => {
		const missing = await request(nest.url)
			.get("/products/any")
			.set("Authorization", await bearer({ permissions: ["read", "write"] }));
		expect(missing.status).toBe(403);
		expect(missing.headers["www-authenticate"]).toBe(scopeChallenge("admin auditor"));
		const ok = await request(nest.url)
			.get("/products/any")
			.set("Authorization", await bearer({ permissions: ["read", "auditor"] }));
		expect(ok.status).toBe(200);
		const noRead = await request(nest.url)
			.get("/products/any")
			.set("Authorization", await bearer({ permissions: ["auditor"] }));
		expect(noRead.status).toBe(403);
		expect(noRead.headers["www-authenticate"]).toBe(scopeChallenge("read"));
	});

	it("@Public() on a controller opens its routes, without reading any token", async () => {
		const res = await request(nest.url).get("/open").set("Authorization", "Bearer not-even-a-jwt");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ auth: null });
	});

	it("a controller's @Public() does not open a method that declares permissions", async () => {
		const res = await request(nest.url).get("/open/admin");
		expect(res.status).toBe(401);
		expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
		const ok = await request(nest.url)
			.get("/open/admin")
			.set("Authorization", await bearer({ permissions: ["admin"] }));
		expect(ok.status).toBe(200);
	});

	it("@Public() on a method", async () => {
		const res = await request(nest.url).get("/mixed/health");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ status: "ok" });
	});

	it("@OptionalAuth(): no credentials go on with no auth; a bad token still fails", async () => {
		const none = await request(nest.url).get("/mixed/optional");
		expect(none.status).toBe(200);
		expect(none.body).toEqual({ auth: null });
		const bad = await request(nest.url).get("/mixed/optional").set("Authorization", "Bearer a.b.c");
		expect(bad.status).toBe(401);
		expect(bad.text).toBe('{"error":"invalid_token","message":"Malformed token"}');
		const good = await request(nest.url)
			.get("/mixed/optional")
			.set("Authorization", await bearer());
		expect(good.status).toBe(200);
		expect(good.body).toEqual({ subject: "user_123", permissions: [] });
	});
});

describe("decorators", () => {
	it("take only scope-token permission names, when the class is defined", () => {
		expect(() => RequirePermissions()).toThrow(
			new TypeError(
				"bearerguard: @RequirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as @RequirePermissions('write').",
			),
		);
		expect(() => AnyPermission("read write")).toThrow(
			new TypeError(
				"bearerguard: @AnyPermission() takes one or more permission names without spaces, quotes or backslashes, such as @AnyPermission('write').",
			),
		);
		expect(() => RequirePermissions('a"b')).toThrow(TypeError);
		expect(() => RequirePermissions(1 as unknown as string)).toThrow(TypeError);
	});
});

describe("the verifier behind BearerGuard (readiness)", () => {
	it("is reachable as guard.verifier: ready() loads the keys and health() says so", async () => {
		const guard = new BearerGuard({ issuer: issuer.issuer, audience: issuer.audience, realm: "ready-nest" });
		await guard.verifier.ready();
		expect(guard.verifier.health()).toMatchObject({
			ready: true,
			issuers: [{ issuer: issuer.issuer, keySource: "jwks", ready: true, keys: 1 }],
		});
	});
});
