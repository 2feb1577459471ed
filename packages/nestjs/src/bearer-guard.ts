import {
	type Authenticator,
	type AuthResult,
	BearerError,
	type ChallengeSettings,
	createAuthenticator,
	type ErrorHook,
	errorAnswer,
	type GuardCheck,
	type GuardOptions,
	splitAdapterOptions,
	splitOptions,
	stampChallenge,
} from "@bearerguard/core";
import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from "@nestjs/common";
import { BearerHttpException } from "./exception.js";
import { nestReader } from "./lib/reader.js";
import { type PlatformResponse, setHeaders, writeAnswer } from "./lib/respond.js";
import { routeGuardOptions } from "./lib/route-options.js";
import { type AuthenticatedRequest, BEARERGUARD_OPTIONS, type NestAuthOptions } from "./options.js";

/** What the guard does on one route, worked out from its decorators at its first request. */
interface RoutePlan {
	readonly public: boolean;
	readonly authenticate: GuardCheck;
}

/**
 * The NestJS guard: verifies the request's bearer token, checks the route's `@RequirePermissions`,
 * `@AnyPermission` and `@OptionalAuth`, skips `@Public()` routes, and sets `request.auth` (read it with
 * `@Auth()`). Nest's Express and Fastify platforms answer the same bytes.
 *
 * Made by Nest with `BearerGuardModule`'s options (`@UseGuards(BearerGuard)`, or globally with
 * `globalGuard: true`), or by you with options of its own: `@UseGuards(new BearerGuard({ ... }))`.
 * Options are checked when the guard is made (a `TypeError` says what to fix). A failure is answered
 * with the contract's status, headers and JSON body, or thrown as a {@link BearerHttpException} to
 * Nest's exception filters with `errorHandling: 'framework'`.
 *
 * @example
 * ```ts
 * @Controller('v1/products')
 * @UseGuards(BearerGuard)
 * export class ProductsController {
 *   @Post()
 *   @RequirePermissions('write')
 *   create(@Auth() auth: AuthResult) { return { createdBy: auth.subject } }
 * }
 * ```
 */
@Injectable()
export class BearerGuard implements CanActivate {
	readonly #authenticator: Authenticator;
	readonly #guardOptions: GuardOptions;
	readonly #challenge: ChallengeSettings;
	readonly #onError: ErrorHook<AuthenticatedRequest> | undefined;
	readonly #framework: boolean;
	readonly #plans = new WeakMap<object, RoutePlan>();

	constructor(@Optional() @Inject(BEARERGUARD_OPTIONS) options?: NestAuthOptions) {
		const settings = splitAdapterOptions(options);
		this.#authenticator = createAuthenticator(settings.authOptions);
		this.#guardOptions = splitOptions(settings.authOptions).guard;
		this.#challenge = this.#authenticator.challengeSettings;
		this.#onError = settings.onError;
		this.#framework = settings.framework;
	}

	canActivate(context: ExecutionContext): boolean | Promise<boolean> {
		const handler = context.getHandler();
		const plan = this.#plans.get(handler) ?? this.#plan(context);
		if (plan.public) return true;
		// HTTP arguments are (request, response, next); reading them allocates nothing.
		const request = context.getArgByIndex<AuthenticatedRequest>(0);
		const response = context.getArgByIndex<PlatformResponse>(1);
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result = plan.authenticate(request, nestReader);
		} catch (error) {
			return this.#fail(error, request, response);
		}
		// A cached token answers synchronously: Nest then awaits nothing.
		if (result instanceof Promise) {
			return result.then(
				(auth) => this.#accept(request, response, auth),
				(error: unknown) => this.#fail(error, request, response),
			);
		}
		return this.#accept(request, response, result);
	}

	#plan(context: ExecutionContext): RoutePlan {
		const options = routeGuardOptions(context.getHandler(), context.getClass(), this.#guardOptions);
		if (options !== "public" && context.getType() !== "http") {
			throw new Error(
				`bearerguard: BearerGuard checks HTTP requests only, and ${context.getClass().name}.${context.getHandler().name} is ${context.getType()}: mark it @Public() or guard it otherwise.`,
			);
		}
		const plan: RoutePlan = {
			public: options === "public",
			authenticate:
				options === "public" || options === undefined
					? this.#authenticator.authenticate
					: this.#authenticator.compileGuard(options),
		};
		this.#plans.set(context.getHandler(), plan);
		return plan;
	}

	#accept(request: AuthenticatedRequest, response: PlatformResponse, auth: AuthResult | undefined): true {
		request.auth = auth;
		const { successHeaders } = this.#authenticator;
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) setHeaders(response, headers);
		}
		return true;
	}

	/**
	 * Answers the failure, then leaves Nest's pipeline waiting on a promise that never settles (as a
	 * middleware that answers and never calls `next()`), so no filter answers again; with
	 * `errorHandling: 'framework'` it throws instead. A throwing `onError` goes to Nest's filters.
	 */
	#fail(error: unknown, request: AuthenticatedRequest, response: PlatformResponse): Promise<boolean> {
		stampChallenge(error, this.#challenge);
		if (this.#framework) throw error instanceof BearerError ? new BearerHttpException(error) : error;
		writeAnswer(response, errorAnswer(error, this.#challenge, this.#onError, request));
		return new Promise<boolean>(() => {});
	}
}
