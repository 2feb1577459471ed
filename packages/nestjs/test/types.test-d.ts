import type { AuthResult } from "@bearerguard/core";
import type { CanActivate, DynamicModule, ExecutionContext } from "@nestjs/common";
import { describe, expectTypeOf, it } from "vitest";
import {
	AnyPermission,
	Auth,
	type AuthenticatedRequest,
	BearerGuard,
	BearerGuardModule,
	type BearerGuardModuleAsyncOptions,
	type BearerHttpException,
	type NestAuthOptions,
	OptionalAuth,
	Public,
	RequirePermissions,
} from "../src/index.js";

declare module "@bearerguard/core" {
	interface CustomClaims {
		/** A claim of this test's own, typed by declaration merging. */
		region?: "eu" | "us";
	}
}

describe("@bearerguard/nestjs types", () => {
	it("@Auth() is a parameter decorator whose field is a key of AuthResult", () => {
		expectTypeOf(Auth).returns.toEqualTypeOf<ParameterDecorator>();
		expectTypeOf(Auth).parameter(0).toEqualTypeOf<keyof AuthResult | undefined>();
		// @ts-expect-error: not a field of AuthResult
		Auth("nope");
	});

	it("the request the guard writes carries a typed auth, with custom claims", () => {
		expectTypeOf<AuthenticatedRequest["auth"]>().toEqualTypeOf<AuthResult | undefined>();
		expectTypeOf<NonNullable<AuthenticatedRequest["auth"]>["claims"]["region"]>().toEqualTypeOf<
			"eu" | "us" | undefined
		>();
	});

	it("route decorators work on methods and classes", () => {
		expectTypeOf(RequirePermissions("read")).toExtend<MethodDecorator & ClassDecorator>();
		expectTypeOf(AnyPermission("read")).toExtend<MethodDecorator & ClassDecorator>();
		expectTypeOf(Public()).toExtend<MethodDecorator & ClassDecorator>();
		expectTypeOf(OptionalAuth()).toExtend<MethodDecorator & ClassDecorator>();
	});

	it("the guard is a CanActivate that answers synchronously when it can", () => {
		expectTypeOf<BearerGuard>().toExtend<CanActivate>();
		expectTypeOf<BearerGuard["canActivate"]>().returns.toEqualTypeOf<boolean | Promise<boolean>>();
		expectTypeOf<BearerGuard["canActivate"]>().parameter(0).toEqualTypeOf<ExecutionContext>();
		expectTypeOf(BearerGuard).constructorParameters.toEqualTypeOf<[options?: NestAuthOptions]>();
	});

	it("the module's factories return dynamic modules; forRootAsync's factory may take any dependencies", () => {
		expectTypeOf(BearerGuardModule.forRoot).returns.toEqualTypeOf<DynamicModule>();
		const asyncOptions: BearerGuardModuleAsyncOptions = {
			inject: ["CONFIG"],
			useFactory: (config: { issuer: string }) => ({ issuer: config.issuer }),
		};
		expectTypeOf(BearerGuardModule.forRootAsync(asyncOptions)).toEqualTypeOf<DynamicModule>();
	});

	it("BearerHttpException carries the BearerError and the answer's headers", () => {
		expectTypeOf<BearerHttpException["cause"]["reason"]>().toBeString();
		expectTypeOf<BearerHttpException["headers"]>().toEqualTypeOf<Readonly<Record<string, string>>>();
	});
});
