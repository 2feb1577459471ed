import bearerGuard from "@bearerguard/fastify";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer, insufficientScope, noCredentials, ok } from "../support/answers.js";
import { describeAuth, type TestApp } from "../support/apps.js";
import { send } from "../support/http.js";

/**
 * The Fastify plugin as its README shows it: a global `onRequest` hook protects every route, a route's
 * `app.requireAuth({ permissions })` and `app.requirePermissions(...)` reuse the hook's `request.auth`
 * (no second verification), registration fails at once without an issuer, and a second registration
 * says what to do.
 */

let issuer: TestIssuer;
let verifications = 0;
const validate = () => {
	verifications++;
	return true;
};
const running: FastifyInstance[] = [];

beforeAll(async () => {
	issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
afterEach(async () => {
	await Promise.all(running.splice(0).map((app) => app.close()));
});

async function listen(app: FastifyInstance): Promise<TestApp> {
	running.push(app);
	const url = await app.listen({ port: 0, host: "127.0.0.1" });
	return { name: "fastify", url, errors: [], close: () => app.close() };
}

const bearer = async (claims: Record<string, unknown>) => ({
	authorization: `Bearer ${await issuer.sign(claims)}`,
});

describe("app.addHook('onRequest', app.requireAuth()) protects every route", () => {
	async function app(pluginOptions: Record<string, unknown> = {}) {
		const fastify = Fastify();
		await fastify.register(bearerGuard, {
			issuer: issuer.issuer,
			audience: issuer.audience,
			validate,
			...pluginOptions,
		});
		fastify.addHook("onRequest", fastify.requireAuth());
		fastify.get("/v1/products", async (request) => describeAuth(request.auth));
		fastify.post(
			"/v1/products",
			{ onRequest: fastify.requireAuth({ permissions: ["write"] }) },
			async (request) => describeAuth(request.auth),
		);
		fastify.delete("/v1/products", { onRequest: fastify.requirePermissions("delete") }, async (request) =>
			describeAuth(request.auth),
		);
		return listen(fastify);
	}

	it("answers the bare 401 on a route without a hook of its own", async () => {
		const server = await app();
		checkAnswer(await send(server, { method: "GET", path: "/v1/products" }), noCredentials());
		checkAnswer(
			await send(server, { method: "GET", path: "/v1/products", headers: await bearer({}) }),
			ok({ subject: "user_123" }),
		);
	});

	it("a route's app.requireAuth({ permissions }) reuses request.auth: one verification per request", async () => {
		const server = await app();
		const write = await bearer({ permissions: ["write"] });
		const before = verifications;
		checkAnswer(
			await send(server, { method: "POST", path: "/v1/products", headers: write }),
			ok({ permissions: ["write"] }),
		);
		expect(verifications - before).toBe(1);
		checkAnswer(
			await send(server, {
				method: "POST",
				path: "/v1/products",
				headers: await bearer({ permissions: ["read"] }),
			}),
			insufficientScope("write"),
		);
		expect(verifications - before).toBe(2);
		checkAnswer(await send(server, { method: "POST", path: "/v1/products" }), noCredentials());
		expect(verifications - before).toBe(2);
	});

	it("app.requirePermissions(...) checks request.auth without verifying again", async () => {
		const server = await app();
		const before = verifications;
		checkAnswer(
			await send(server, {
				method: "DELETE",
				path: "/v1/products",
				headers: await bearer({ permissions: ["delete"] }),
			}),
			ok({ permissions: ["delete"] }),
		);
		checkAnswer(
			await send(server, {
				method: "DELETE",
				path: "/v1/products",
				headers: await bearer({ permissions: ["read"] }),
			}),
			insufficientScope("delete"),
		);
		expect(verifications - before).toBe(2);
	});

	it("a plugin-level optional opens the hook, never a route that requires permissions", async () => {
		const server = await app({ optional: true });
		checkAnswer(await send(server, { method: "GET", path: "/v1/products" }), ok(null));
		checkAnswer(await send(server, { method: "POST", path: "/v1/products" }), noCredentials());
		checkAnswer(await send(server, { method: "DELETE", path: "/v1/products" }), noCredentials());
	});
});

describe("registration", () => {
	it("fails at once without an issuer (and no BEARERGUARD_ISSUER), naming what to pass", async () => {
		const fastify = Fastify();
		running.push(fastify);
		await expect(fastify.register(bearerGuard, { audience: issuer.audience })).rejects.toEqual(
			new TypeError(
				'bearerguard: "issuer" is required: pass { issuer } or set BEARERGUARD_ISSUER (e.g. "https://auth.example.com/").',
			),
		);
	});

	it("succeeds without options when the environment configures it, and the hook verifies", async () => {
		const fastify = Fastify();
		// The plugin reads the environment when it is registered (asynchronously): set it around the await.
		process.env.BEARERGUARD_ISSUER = issuer.issuer;
		process.env.BEARERGUARD_AUDIENCE = issuer.audience;
		try {
			await fastify.register(bearerGuard);
			fastify.addHook("onRequest", fastify.requireAuth());
		} finally {
			delete process.env.BEARERGUARD_ISSUER;
			delete process.env.BEARERGUARD_AUDIENCE;
		}
		fastify.get("/me", async (request) => describeAuth(request.auth));
		const server = await listen(fastify);
		checkAnswer(await send(server, { method: "GET", path: "/me" }), noCredentials());
		checkAnswer(
			await send(server, { method: "GET", path: "/me", headers: await bearer({}) }),
			ok({ subject: "user_123" }),
		);
	});

	it("a second registration is a clear error, not FST_ERR_DEC_ALREADY_PRESENT", async () => {
		const fastify = Fastify();
		running.push(fastify);
		await fastify.register(bearerGuard, { issuer: issuer.issuer, audience: issuer.audience });
		await expect(
			fastify.register(bearerGuard, { issuer: issuer.issuer, audience: issuer.audience }),
		).rejects.toEqual(
			new Error(
				"bearerguard: @bearerguard/fastify is registered twice on this instance (or on a parent): register it once, at the root, and give each route its own options with app.requireAuth({ ... }).",
			),
		);
	});

	it("refuses an unknown option at registration, naming the closest", async () => {
		const fastify = Fastify();
		running.push(fastify);
		await expect(
			fastify.register(bearerGuard, { issuer: issuer.issuer, audiance: issuer.audience } as never),
		).rejects.toEqual(new TypeError('bearerguard: unknown option "audiance": did you mean "audience"?'));
	});
});
