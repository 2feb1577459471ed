import type { AuthResult, Verifier } from "@bearerguard/core";
import { Hono, type MiddlewareHandler } from "hono";
import { describe, expectTypeOf, it } from "vitest";
import {
	type AuthEnv,
	type AuthVariables,
	requireAuth,
	requirePermissions,
	resourceMetadata,
} from "../src/index.js";

declare module "@bearerguard/core" {
	interface CustomClaims {
		/** A claim of this test's own, typed by declaration merging. */
		tenant?: string;
	}
}

describe("Hono variables", () => {
	it("types c.get('auth') in an app typed with AuthVariables, without a cast", () => {
		const app = new Hono<{ Variables: AuthVariables }>();
		app.use(requireAuth());
		app.get("/", requirePermissions("read"), (c) => {
			expectTypeOf(c.get("auth")).toEqualTypeOf<AuthResult | undefined>();
			expectTypeOf(c.get("auth")!.permissions).toEqualTypeOf<ReadonlySet<string>>();
			expectTypeOf(c.get("auth")!.claims.tenant).toEqualTypeOf<string | undefined>();
			return c.text("ok");
		});
	});

	it("types c.get('auth') from the middleware of a route alone", () => {
		const app = new Hono();
		app.get("/", requireAuth({ permissions: ["read"] }), (c) => {
			expectTypeOf(c.get("auth")).toEqualTypeOf<AuthResult | undefined>();
			return c.text("ok");
		});
	});

	it("returns Hono middleware", () => {
		expectTypeOf(requireAuth).returns.toExtend<MiddlewareHandler<AuthEnv>>();
		expectTypeOf(requireAuth).returns.toHaveProperty("verifier").toEqualTypeOf<Verifier>();
		expectTypeOf(requirePermissions).returns.toEqualTypeOf<MiddlewareHandler<AuthEnv>>();
		expectTypeOf(resourceMetadata).returns.toEqualTypeOf<MiddlewareHandler>();
	});
});
