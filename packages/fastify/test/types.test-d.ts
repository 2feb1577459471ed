import type { AuthResult, Verifier } from "@bearerguard/core";
import Fastify, { type onRequestHookHandler } from "fastify";
import { describe, expectTypeOf, it } from "vitest";
import bearerGuard, { type FastifyAuthOptions, requireAuth } from "../src/index.js";

declare module "@bearerguard/core" {
	interface CustomClaims {
		/** A claim of this test's own, typed by declaration merging. */
		tenant?: string;
	}
}

describe("Fastify request augmentation", () => {
	it("types request.auth and app.requireAuth without a cast", async () => {
		const app = Fastify();
		await app.register(bearerGuard, { issuer: "https://issuer.example", audience: "api" });
		app.get("/me", { onRequest: app.requireAuth({ permissions: ["read"] }) }, async (request) => {
			expectTypeOf(request.auth).toEqualTypeOf<AuthResult | null>();
			expectTypeOf(request.auth?.claims.sub).toEqualTypeOf<string | undefined>();
			expectTypeOf(request.auth!.permissions).toEqualTypeOf<ReadonlySet<string>>();
			expectTypeOf(request.auth!.claims.tenant).toEqualTypeOf<string | undefined>();
			return {};
		});
		app.get<{ Params: { id: string } }>(
			"/p/:id",
			{ onRequest: requireAuth() },
			async (request) => request.params.id,
		);
	});

	it("returns onRequest hooks", () => {
		expectTypeOf(requireAuth).returns.toMatchTypeOf<onRequestHookHandler>();
		expectTypeOf(requireAuth).returns.toHaveProperty("verifier").toEqualTypeOf<Verifier>();
		expectTypeOf(Fastify().authVerifier).toEqualTypeOf<Verifier>();
		expectTypeOf(Fastify().requireAuth).parameter(0).toEqualTypeOf<FastifyAuthOptions | undefined>();
		expectTypeOf(Fastify().requirePermissions).parameters.toEqualTypeOf<string[]>();
		expectTypeOf(Fastify().requirePermissions).returns.toEqualTypeOf<onRequestHookHandler>();
	});

	it("takes the global hook as app.addHook('onRequest', app.requireAuth())", () => {
		const app = Fastify();
		app.addHook("onRequest", app.requireAuth());
		app.delete("/p/:id", { onRequest: app.requirePermissions("delete") }, async () => ({}));
	});
});
