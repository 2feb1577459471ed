import type { AuthResult, Verifier } from "@bearerguard/core";
import express from "express";
import { describe, expectTypeOf, it } from "vitest";
import { requireAuth, requirePermissions } from "../src/index.js";

declare module "@bearerguard/core" {
	interface CustomClaims {
		/** A claim of this test's own, typed by declaration merging. */
		tier?: "free" | "pro";
	}
}

describe("Express request augmentation", () => {
	it("types req.auth without a cast", () => {
		const app = express();
		app.get("/me", requireAuth(), requirePermissions("read"), (req, res) => {
			expectTypeOf(req.auth).toEqualTypeOf<AuthResult | undefined>();
			expectTypeOf(req.auth?.claims.sub).toEqualTypeOf<string | undefined>();
			expectTypeOf(req.auth?.subject).toEqualTypeOf<string | undefined>();
			expectTypeOf(req.auth!.permissions).toEqualTypeOf<ReadonlySet<string>>();
			expectTypeOf(req.auth!.claims.tier).toEqualTypeOf<"free" | "pro" | undefined>();
			res.end();
		});
	});

	it("returns Express middleware", () => {
		expectTypeOf(requireAuth).returns.toMatchTypeOf<express.RequestHandler>();
		expectTypeOf(requireAuth).returns.toHaveProperty("verifier").toEqualTypeOf<Verifier>();
		expectTypeOf(requirePermissions).returns.toEqualTypeOf<express.RequestHandler>();
		expectTypeOf(requireAuth).parameter(0).exclude<undefined>().toHaveProperty("onError");
	});
});
