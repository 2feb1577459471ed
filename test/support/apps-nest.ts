import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { type AuthOptions, type AuthResult, splitOptions } from "@bearerguard/core";
import {
	AnyPermission,
	Auth,
	type AuthenticatedRequest,
	BearerExceptionFilter,
	BearerGuard,
	BearerGuardModule,
	BearerHttpException,
	OptionalAuth,
	RequirePermissions,
} from "@bearerguard/nestjs";
import {
	type ArgumentsHost,
	type CanActivate,
	Controller,
	Delete,
	type ExecutionContext,
	Get,
	HttpCode,
	type HttpServer,
	Module,
	type NestApplicationOptions,
	Post,
	type Type,
	UseGuards,
} from "@nestjs/common";
import { BaseExceptionFilter, NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import {
	type AppSettings,
	answerOf,
	create,
	optionsOf,
	type RouteSpec,
	type TestApp,
	upstreamOptionsOf,
} from "./apps.js";

const VERBS = { GET: Get, POST: Post, DELETE: Delete } as const;

/** Whether the route's guard has options (or environment variables) of its own, beyond guard options. */
function hasOwnGuard(route: RouteSpec): boolean {
	const own = splitOptions(route.auth ?? {});
	return route.standalone === true || route.env !== undefined || Object.keys(own.verifier).length > 0;
}

/** A guard that sets `request.auth` to a look-alike, as another library's guard might. */
function forging(forged: Readonly<Record<string, unknown>>): CanActivate {
	return {
		canActivate(context: ExecutionContext) {
			(context.switchToHttp().getRequest<AuthenticatedRequest>() as { auth?: unknown }).auth = forged;
			return true;
		},
	};
}

/**
 * The guards and decorators that stand for one route's guards, in order: a forging guard
 * (`forgedAuth`); the `upstream` guard (the module's guard when it adds nothing to the app's defaults,
 * else `new BearerGuard(options)`); the route's own `requireAuth`, as the module's guard with the
 * route's guard options as decorators or, for a route with verifier options or environment variables of
 * its own, a guard made for it (`new BearerGuard(options)`, made while its variables are set); and
 * `requirePermissions` as `@RequirePermissions`.
 */
function guardsFor(
	route: RouteSpec,
	defaults: AuthOptions,
): { guards: (CanActivate | Type)[]; decorators: MethodDecorator[] } {
	const guards: (CanActivate | Type)[] = [];
	const decorators: MethodDecorator[] = [];
	if (route.forgedAuth) guards.push(forging(route.forgedAuth));
	const upstream = upstreamOptionsOf(route, defaults);
	if (upstream) {
		const addsNothing = !route.standalone && Object.keys(route.upstream ?? {}).length === 0;
		guards.push(addsNothing ? BearerGuard : create(route, () => new BearerGuard(upstream)));
	}
	if (route.requirePermissions) decorators.push(RequirePermissions(...route.requirePermissions));
	if (route.noGuard) return { guards, decorators };
	if (hasOwnGuard(route)) {
		guards.push(create(route, () => new BearerGuard(optionsOf(route, defaults))));
		return { guards, decorators };
	}
	const own = splitOptions(route.auth ?? {});
	if (own.guard.permissions) decorators.push(RequirePermissions(...own.guard.permissions));
	if (own.guard.anyPermission) decorators.push(AnyPermission(...own.guard.anyPermission));
	if (own.guard.optional) decorators.push(OptionalAuth());
	guards.push(BearerGuard);
	return { guards, decorators };
}

/** One controller per route, answering `describeAuth` (or `describeBinding`) with 200 like the other apps. */
function controllerFor(
	guards: (CanActivate | Type)[],
	decorators: MethodDecorator[],
	route: RouteSpec,
): Type {
	const Verb = VERBS[route.method];
	@Controller()
	class RouteController {
		@Verb(route.path)
		@HttpCode(200)
		@UseGuards(...guards)
		handle(@Auth() auth: AuthResult | undefined) {
			return answerOf(route, auth);
		}
	}
	const descriptor = Object.getOwnPropertyDescriptor(RouteController.prototype, "handle")!;
	for (const decorate of decorators) decorate(RouteController.prototype, "handle", descriptor);
	return RouteController;
}

/**
 * Records every error that reaches Nest's exception layer, then lets Nest answer: its own base filter,
 * or, for the `BearerHttpException` of `errorHandling: 'framework'`, `BearerExceptionFilter` (what a
 * Nest app with that setting registers, since Nest's own filter sends no `WWW-Authenticate`). A
 * `BearerHttpException` is recorded as its cause, the `BearerError`, as the other apps record it.
 */
class RecordingFilter extends BaseExceptionFilter {
	readonly #errors: unknown[];
	readonly #bearer = new BearerExceptionFilter();

	constructor(adapter: HttpServer, errors: unknown[]) {
		super(adapter);
		this.#errors = errors;
	}

	override catch(exception: unknown, host: ArgumentsHost): void {
		if (exception instanceof BearerHttpException) {
			this.#errors.push(exception.cause);
			this.#bearer.catch(exception, host);
			return;
		}
		this.#errors.push(exception);
		super.catch(exception, host);
	}
}

/**
 * A Nest app on its Express or Fastify platform, built from the route list: `BearerGuardModule.forRoot`
 * with the app's defaults, and one controller per route.
 */
export async function startNest(
	name: "nest-express" | "nest-fastify",
	defaults: AuthOptions,
	routes: readonly RouteSpec[],
	settings: AppSettings = {},
): Promise<TestApp> {
	const plans = routes.map((route) => ({ route, ...guardsFor(route, defaults) }));
	const controllers = plans.map(({ route, guards, decorators }) => controllerFor(guards, decorators, route));
	// The module's guard is made (and its options checked) when the app starts: only when a route uses it.
	const usesModule = plans.some(({ guards }) => guards.includes(BearerGuard));
	@Module({ imports: usesModule ? [BearerGuardModule.forRoot(defaults)] : [], controllers })
	class AppModule {}
	const options = { logger: false, abortOnError: false } as const;
	const tls = settings.https;
	const app =
		name === "nest-fastify"
			? await NestFactory.create(
					AppModule,
					new FastifyAdapter({
						...(settings.trustProxy && { trustProxy: true }),
						...(tls && { https: tls }),
					}),
					options,
				)
			: await NestFactory.create(
					AppModule,
					// Nest's HttpsOptions types SNICallback more narrowly than node:https; the fields are the same.
					tls === undefined
						? options
						: { ...options, httpsOptions: tls as NestApplicationOptions["httpsOptions"] },
				);
	// Nest's Express platform is an Express app: its own setting.
	if (settings.trustProxy && name === "nest-express")
		(app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set(
			"trust proxy",
			"loopback",
		);
	const errors: unknown[] = [];
	app.useGlobalFilters(new RecordingFilter(app.getHttpAdapter(), errors));
	await app.listen(0, "127.0.0.1");
	const { port } = app.getHttpServer().address() as AddressInfo;
	const protocol = tls === undefined ? "http" : "https";
	return { name, url: `${protocol}://127.0.0.1:${port}`, errors, close: () => app.close() };
}
