import { Socket } from "node:net";
import type { AuthResult } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { type Context, Hono } from "hono";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type AuthEnv,
	GuardSetupError,
	type HonoAuthOptions,
	requireAuth,
	requirePermissions,
} from "../src/index.js";
import { honoReader } from "../src/lib/reader.js";
import { nodeServer } from "./support.js";

let issuer: TestIssuer;
let upstream: HonoAuthOptions;
/** Calls of the upstream guard's `validate`: one per verification, cache hit or not. */
let verifications = 0;

beforeAll(async () => {
	issuer = await createTestIssuer();
	upstream = {
		issuer: issuer.issuer,
		audience: issuer.audience,
		validate: () => {
			verifications++;
			return true;
		},
	};
});
afterAll(() => issuer.close());

const NOTHING_CONFIGURED =
	"bearerguard: requireAuth() has only guard options, nothing configures a verifier (no issuer or audience in code, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no requireAuth before it verified this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())), or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.";
const FORBIDDEN = "Insufficient permissions for the requested operation";
const scopeChallenge = (scope: string, realm = "api") =>
	`Bearer realm="${realm}", error="insufficient_scope", error_description="${FORBIDDEN}", scope="${scope}"`;
const bearer = async (permissions: string[] = []) => `Bearer ${await issuer.sign({ permissions })}`;

/** What every route answers: the subject, and the names of the request's variables. */
const answer = (c: Context<AuthEnv>) =>
	c.json({ subject: c.get("auth")?.subject ?? null, variables: Object.keys(c.var) });

/** An app whose `onError` records what reaches it and answers a plain 500, as Hono's default does. */
function appWith(build: (app: Hono<AuthEnv>) => void) {
	const errors: unknown[] = [];
	const app = new Hono<AuthEnv>();
	app.onError((error, c) => {
		errors.push(error);
		return c.text("Internal Server Error", 500);
	});
	build(app);
	return { server: nodeServer(app), errors };
}

describe("a requireAuth with only guard options, after a requireAuth", () => {
	it("reuses its auth: no second verification, 200 or the 403 naming the permission", async () => {
		const { server } = appWith((app) => {
			app.use(requireAuth(upstream));
			app.post("/w", requireAuth({ permissions: ["write"] }), answer);
		});
		let before = verifications;
		const ok = await request(server)
			.post("/w")
			.set("Authorization", await bearer(["write"]));
		expect(ok.status).toBe(200);
		expect(ok.body).toEqual({ subject: "user_123", variables: ["auth"] });
		expect(verifications - before).toBe(1);
		before = verifications;
		const forbidden = await request(server)
			.post("/w")
			.set("Authorization", await bearer(["read"]));
		expect(forbidden.status).toBe(403);
		expect(forbidden.headers["www-authenticate"]).toBe(scopeChallenge("write"));
		expect(forbidden.text).toBe(`{"error":"insufficient_scope","message":"${FORBIDDEN}"}`);
		expect(verifications - before).toBe(1);
	});

	it("answers as the requireAuth before it was configured (realm, onError), unless it has onError of its own", async () => {
		const { server } = appWith((app) => {
			app.use(requireAuth({ ...upstream, realm: "products", onError: (error) => ({ up: error.reason }) }));
			app.post("/inherits", requireAuth({ permissions: ["write"] }), answer);
			app.post(
				"/own",
				requireAuth({ permissions: ["write"], onError: (error) => ({ own: error.reason }) }),
				answer,
			);
		});
		const token = await bearer(["read"]);
		const inherits = await request(server).post("/inherits").set("Authorization", token);
		expect(inherits.status).toBe(403);
		expect(inherits.headers["www-authenticate"]).toBe(scopeChallenge("write", "products"));
		expect(inherits.text).toBe('{"up":"insufficient_scope"}');
		const own = await request(server).post("/own").set("Authorization", token);
		expect(own.status).toBe(403);
		expect(own.text).toBe('{"own":"insufficient_scope"}');
	});

	it("after an optional requireAuth without credentials: permissions are the bare 401, optional goes on", async () => {
		const { server } = appWith((app) => {
			app.use(requireAuth({ ...upstream, optional: true }));
			app.get("/write", requireAuth({ permissions: ["write"] }), answer);
			app.get("/optional", requireAuth({ optional: true }), answer);
			app.delete("/delete", requirePermissions("delete"), answer);
		});
		const before = verifications;
		for (const [method, path] of [
			["get", "/write"],
			["delete", "/delete"],
		] as const) {
			const res = await request(server)[method](path);
			expect(res.status).toBe(401);
			expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
			expect(res.text).toBe('{"error":"invalid_token","message":"Missing bearer token"}');
		}
		const optional = await request(server).get("/optional");
		expect(optional.status).toBe(200);
		expect(optional.body).toEqual({ subject: null, variables: ["auth"] });
		expect(verifications).toBe(before);
	});
});

describe("a guard that cannot work is a programming error for Hono's onError", () => {
	it("only guard options, nothing configured, nothing before it: a GuardSetupError, even with errorHandling 'framework'", async () => {
		const { server, errors } = appWith((app) => {
			app.post("/w", requireAuth({ permissions: ["write"], errorHandling: "framework" }), answer);
		});
		const res = await request(server)
			.post("/w")
			.set("Authorization", await bearer(["write"]));
		expect(res.status).toBe(500);
		expect(res.headers["www-authenticate"]).toBeUndefined();
		expect(res.text).toBe("Internal Server Error");
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBeInstanceOf(GuardSetupError);
		expect((errors[0] as Error).message).toBe(NOTHING_CONFIGURED);
	});

	it("an auth the app set itself is never taken for a verified one", async () => {
		const forged = { subject: "forged", issuer: "https://evil.example", permissions: new Set(["write"]) };
		const { server, errors } = appWith((app) => {
			app.use((c, next) => {
				c.set("auth", forged as unknown as AuthResult);
				return next();
			});
			app.post("/w", requireAuth({ permissions: ["write"] }), answer);
			app.delete("/d", requirePermissions("write"), answer);
		});
		expect((await request(server).post("/w")).status).toBe(500);
		expect((await request(server).delete("/d")).status).toBe(500);
		expect(errors.map((error) => (error as Error).message)).toEqual([
			NOTHING_CONFIGURED,
			"bearerguard: requirePermissions('write') ran with no requireAuth before it on this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())).",
		]);
		expect(errors.every((error) => error instanceof GuardSetupError)).toBe(true);
	});
});

describe("the request reader", () => {
	const read = (c: Context) => {
		const socket = honoReader.socket?.(c);
		return c.json({
			method: honoReader.method?.(c),
			url: honoReader.url?.(c),
			socket: socket === undefined ? null : socket instanceof Socket,
		});
	};

	it("reads the method, the absolute URL and Node's socket on @hono/node-server", async () => {
		const app = new Hono();
		app.all("/v1/*", read);
		const res = await request(nodeServer(app)).post("/v1/items?page=2").set("Host", "api.example.test:8443");
		expect(res.body).toEqual({
			method: "POST",
			url: "http://api.example.test:8443/v1/items?page=2",
			socket: true,
		});
	});

	it("reads no socket where there is no Node request (app.request)", async () => {
		const app = new Hono();
		app.all("/v1/*", read);
		const res = await app.request("http://localhost/v1/items", { method: "DELETE" });
		expect(await res.json()).toEqual({ method: "DELETE", url: "http://localhost/v1/items", socket: null });
	});
});
