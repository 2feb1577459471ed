import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { type AuthOptions, type AuthResult, splitOptions } from "@bearerguard/core";
import {
	AnyPermission,
	Auth,
	BearerGuard,
	BearerGuardModule,
	OptionalAuth,
	RequirePermissions,
} from "@bearerguard/nestjs";
import {
	type CanActivate,
	Controller,
	Delete,
	Get,
	HttpCode,
	Module,
	Post,
	type Type,
	UseGuards,
} from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { create, describeAuth, optionsOf, type RouteSpec, type TestApp } from "./apps.js";

const VERBS = { GET: Get, POST: Post, DELETE: Delete } as const;

/** Whether the route's guard has options (or environment variables) of its own, beyond guard options. */
function hasOwnGuard(route: RouteSpec): boolean {
	const own = splitOptions(route.auth ?? {});
	return route.standalone === true || route.env !== undefined || Object.keys(own.verifier).length > 0;
}

/**
 * The decorators that stand for one route's `requireAuth` (and `requirePermissions`): the module's
 * guard with the route's guard options as decorators, or, for a route with verifier options or
 * environment variables of its own, a guard made for it (`new BearerGuard(options)`), made while its
 * variables are set.
 */
function guardFor(
	route: RouteSpec,
	defaults: AuthOptions,
): { guard: CanActivate | Type; decorators: MethodDecorator[] } {
	const decorators: MethodDecorator[] = [];
	if (route.requirePermissions) decorators.push(RequirePermissions(...route.requirePermissions));
	if (hasOwnGuard(route)) {
		return { guard: create(route, () => new BearerGuard(optionsOf(route, defaults))), decorators };
	}
	const own = splitOptions(route.auth ?? {});
	if (own.guard.permissions) decorators.push(RequirePermissions(...own.guard.permissions));
	if (own.guard.anyPermission) decorators.push(AnyPermission(...own.guard.anyPermission));
	if (own.guard.optional) decorators.push(OptionalAuth());
	return { guard: BearerGuard, decorators };
}

/** One controller per route, answering `describeAuth` with 200 like the other apps. */
function controllerFor(route: RouteSpec, defaults: AuthOptions): Type {
	const { guard, decorators } = guardFor(route, defaults);
	const Verb = VERBS[route.method];
	@Controller()
	class RouteController {
		@Verb(route.path)
		@HttpCode(200)
		@UseGuards(guard)
		handle(@Auth() auth: AuthResult | undefined) {
			return describeAuth(auth);
		}
	}
	const descriptor = Object.getOwnPropertyDescriptor(RouteController.prototype, "handle")!;
	for (const decorate of decorators) decorate(RouteController.prototype, "handle", descriptor);
	return RouteController;
}

/**
 * A Nest app on its Express or Fastify platform, built from the route list: `BearerGuardModule.forRoot`
 * with the app's defaults, and one controller per route.
 */
export async function startNest(
	name: "nest-express" | "nest-fastify",
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
): Promise<TestApp> {
	const controllers = routes.map((route) => controllerFor(route, defaults));
	// The module's guard is made (and its options checked) when the app starts: only when a route uses it.
	const usesModule = routes.some((route) => !hasOwnGuard(route));
	@Module({ imports: usesModule ? [BearerGuardModule.forRoot(defaults)] : [], controllers })
	class AppModule {}
	const options = { logger: false, abortOnError: false } as const;
	const app =
		name === "nest-fastify"
			? await NestFactory.create(AppModule, new FastifyAdapter(), options)
			: await NestFactory.create(AppModule, options);
	await app.listen(0, "127.0.0.1");
	const { port } = app.getHttpServer().address() as AddressInfo;
	return { name, url: `http://127.0.0.1:${port}`, errors: [], close: () => app.close() };
}
