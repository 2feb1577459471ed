import { createResourceMetadata, type ResourceMetadata } from "@bearerguard/core";
import {
	type DynamicModule,
	Inject,
	type InjectionToken,
	Module,
	type ModuleMetadata,
	type OnModuleInit,
	Optional,
	type OptionalFactoryDependency,
	type Provider,
} from "@nestjs/common";
import { APP_GUARD, HttpAdapterHost } from "@nestjs/core";
import { BearerGuard } from "./bearer-guard.js";
import { isReply, type PlatformResponse, writeAnswer } from "./lib/respond.js";
import { BEARERGUARD_OPTIONS, type NestAuthOptions } from "./options.js";

/**
 * Options of `BearerGuardModule.forRoot`: the guard's options, and whether the guard guards every route
 * of the app.
 *
 * @example
 * ```ts
 * BearerGuardModule.forRoot({ issuer, audience, globalGuard: true })
 * ```
 */
export interface BearerGuardModuleOptions extends NestAuthOptions {
	/** `true` registers `BearerGuard` as a global guard (`APP_GUARD`): open routes with `@Public()`. Default `false`. */
	globalGuard?: boolean;
}

/**
 * Options of `BearerGuardModule.forRootAsync`: a factory for the guard's options (from `ConfigService`,
 * say), its `imports` and `inject`, and `globalGuard`, which has to be known before the factory runs.
 *
 * @example
 * ```ts
 * BearerGuardModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ issuer: config.getOrThrow('AUTH_ISSUER'), audience: config.getOrThrow('AUTH_AUDIENCE') }),
 * })
 * ```
 */
export interface BearerGuardModuleAsyncOptions {
	/** Modules whose providers the factory injects. */
	imports?: ModuleMetadata["imports"];
	/** What the factory gets, in order. */
	inject?: (InjectionToken | OptionalFactoryDependency)[];
	/** Returns the guard's options (or a promise of them). */
	useFactory: (...dependencies: never[]) => NestAuthOptions | Promise<NestAuthOptions>;
	/** `true` registers `BearerGuard` as a global guard (`APP_GUARD`). Default `false`. */
	globalGuard?: boolean;
}

function providers(options: Provider, globalGuard: unknown): Provider[] {
	if (globalGuard !== undefined && typeof globalGuard !== "boolean") {
		throw new TypeError("bearerguard: globalGuard must be true or false, or left out.");
	}
	const list: Provider[] = [options, BearerGuard];
	if (globalGuard === true) list.push({ provide: APP_GUARD, useExisting: BearerGuard });
	return list;
}

/**
 * The NestJS module: gives `BearerGuard` its options (to every module of the app), optionally as a
 * global guard, and, with the `resource` option, serves the protected resource metadata (RFC 9728) at
 * `/.well-known/oauth-protected-resource{path}` on the HTTP adapter itself (outside any global prefix,
 * guard or interceptor).
 *
 * @example
 * ```ts
 * @Module({ imports: [BearerGuardModule.forRoot({ issuer, audience, globalGuard: true })] })
 * export class AppModule {}
 * ```
 */
@Module({})
export class BearerGuardModule implements OnModuleInit {
	readonly #options: NestAuthOptions | undefined;
	readonly #adapterHost: HttpAdapterHost | undefined;

	constructor(
		@Optional() @Inject(BEARERGUARD_OPTIONS) options?: NestAuthOptions,
		@Optional() @Inject(HttpAdapterHost) adapterHost?: HttpAdapterHost,
	) {
		this.#options = options;
		this.#adapterHost = adapterHost;
	}

	/** Options given in code. `globalGuard: true` guards every route. */
	static forRoot(options: BearerGuardModuleOptions = {}): DynamicModule {
		const { globalGuard, ...guardOptions } = options;
		return {
			module: BearerGuardModule,
			global: true,
			providers: providers({ provide: BEARERGUARD_OPTIONS, useValue: guardOptions }, globalGuard),
			exports: [BEARERGUARD_OPTIONS, BearerGuard],
		};
	}

	/** Options from a factory (e.g. Nest's `ConfigService`), resolved when the app starts. */
	static forRootAsync(options: BearerGuardModuleAsyncOptions): DynamicModule {
		if (typeof options?.useFactory !== "function") {
			throw new TypeError(
				"bearerguard: forRootAsync() needs useFactory, a function that returns the options.",
			);
		}
		const factory = {
			provide: BEARERGUARD_OPTIONS,
			useFactory: options.useFactory as (...dependencies: unknown[]) => NestAuthOptions,
			inject: options.inject ?? [],
		};
		return {
			module: BearerGuardModule,
			global: true,
			imports: options.imports ?? [],
			providers: providers(factory, options.globalGuard),
			exports: [BEARERGUARD_OPTIONS, BearerGuard],
		};
	}

	/** Registers GET (with HEAD) and OPTIONS of the metadata's paths on the HTTP adapter, when `resource` is set. */
	onModuleInit(): void {
		const adapter = this.#adapterHost?.httpAdapter;
		const resource = this.#options?.resource;
		if (adapter === undefined || resource === undefined) return;
		const metadata: ResourceMetadata = createResourceMetadata(resource);
		for (const path of metadata.paths) {
			const serve = (request: { method?: string }, response: PlatformResponse) => {
				// Fastify answers HEAD with its GET route, stripping the body and counting its length itself.
				const method = request.method === "HEAD" && isReply(response) ? "GET" : (request.method ?? "GET");
				const answer = metadata.answer(method, path);
				if (answer !== undefined) writeAnswer(response, answer);
			};
			adapter.get(path, serve);
			adapter.options(path, serve);
		}
	}
}
