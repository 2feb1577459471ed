import type { AuthResult, Verifier } from "@bearerguard/core";
import Koa, { type Middleware } from "koa";
import { describe, expectTypeOf, it } from "vitest";
import { requireAuth, requirePermissions } from "../src/index.js";

declare module "@bearerguard/core" {
	interface CustomClaims {
		/** A claim of this test's own, typed by declaration merging. */
		plan?: "basic" | "premium";
	}
}

describe("Koa state augmentation", () => {
	it("types ctx.state.auth without a cast", () => {
		const app = new Koa();
		app.use(requireAuth());
		app.use(requirePermissions("read"));
		app.use((ctx) => {
			expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult | undefined>();
			expectTypeOf(ctx.state.auth?.claims.sub).toEqualTypeOf<string | undefined>();
			expectTypeOf(ctx.state.auth!.permissions).toEqualTypeOf<ReadonlySet<string>>();
			expectTypeOf(ctx.state.auth!.claims.plan).toEqualTypeOf<"basic" | "premium" | undefined>();
		});
	});

	it("returns Koa middleware", () => {
		expectTypeOf(requireAuth).returns.toMatchTypeOf<Middleware>();
		expectTypeOf(requireAuth).returns.toHaveProperty("verifier").toEqualTypeOf<Verifier>();
		expectTypeOf(requirePermissions).returns.toEqualTypeOf<Middleware>();
	});
});
