import {
	type Authenticator,
	type AuthResult,
	attachVerifier,
	createAuthenticator,
	createReusingGuard,
	type GuardCheck,
	type GuardOptions,
	splitAdapterOptions,
	splitOptions,
	type UpstreamCheck,
	type Verifier,
} from "@bearerguard/core";
import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from "@nestjs/common";
import { nestReader } from "./lib/reader.js";
import { type PlatformResponse, setHeaders } from "./lib/respond.js";
import { createResponder, type Responder } from "./lib/responder.js";
import { routeGuardOptions } from "./lib/route-options.js";
import { routeName, unconfiguredCheck } from "./lib/setup-errors.js";
import { markPassed, passedBy } from "./lib/upstream.js";
import { type AuthenticatedRequest, BEARERGUARD_OPTIONS, type NestAuthOptions } from "./options.js";

/** What the guard does on one route, worked out from its decorators at its first request. */
interface RoutePlan {
	readonly public: boolean;
	/** Verifies the request (with nothing configured: a `GuardSetupError`). */
	readonly authenticate: GuardCheck;
	/** A guard with only guard options: checks the `auth` a `BearerGuard` before it left. */
	readonly reuse: UpstreamCheck | undefined;
}

/**
 * The NestJS guard: verifies the request's bearer token, checks the route's `@RequirePermissions`,
 * `@AnyPermission` and `@OptionalAuth`, skips `@Public()` routes, and sets `request.auth` (read it with
 * `@Auth()`). Nest's Express and Fastify platforms answer the same bytes.
 *
 * Made by Nest with `BearerGuardModule`'s options (`@UseGuards(BearerGuard)`, or globally with
 * `globalGuard: true`), or by you with options of its own: `@UseGuards(new BearerGuard({ ... }))`.
 * Options are checked when the guard is made (a `TypeError` says what to fix). A failure is answered
 * with the contract's status, headers and JSON body, or thrown as a `BearerHttpException` to Nest's
 * exception filters with `errorHandling: 'framework'`. Given only guard options
 * (`new BearerGuard({ permissions: ['write'] })`), it reuses the `request.auth` of a `BearerGuard` that
 * ran before it on the request (global, the controller's, or earlier in `@UseGuards`); with none before
 * it and nothing configured, it throws a `GuardSetupError` that says what to add to Nest's exception layer.
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
	readonly #respond: Responder;
	/** It answers failures itself even after another guard (it has `onError` or `errorHandling`). */
	readonly #answersOwn: boolean;
	readonly #plans = new WeakMap<object, RoutePlan>();

	/**
	 * The verifier behind this guard (`ready()`, `health()`), for a readiness route: inject the guard
	 * (`BearerGuard` is a provider of the module) and read it. A guard given only guard options with
	 * nothing configured has none: reading it throws a `TypeError` that says so.
	 */
	get verifier(): Verifier {
		return attachVerifier({}, this.#authenticator.verifier).verifier;
	}

	constructor(@Optional() @Inject(BEARERGUARD_OPTIONS) options?: NestAuthOptions) {
		const settings = splitAdapterOptions(options);
		this.#authenticator = createAuthenticator(settings.authOptions);
		this.#guardOptions = splitOptions(settings.authOptions).guard;
		this.#respond = createResponder(settings, this.#authenticator.challengeSettings);
		this.#answersOwn = settings.onError !== undefined || settings.framework;
	}

	canActivate(context: ExecutionContext): boolean | Promise<boolean> {
		const plan = this.#plans.get(context.getHandler()) ?? this.#plan(context);
		if (plan.public) return true;
		// HTTP arguments are (request, response, next); reading them allocates nothing.
		const request = context.getArgByIndex<AuthenticatedRequest>(0);
		const response = context.getArgByIndex<PlatformResponse>(1);
		// Only a guard with only guard options builds on a BearerGuard before it (one property read).
		const { reuse } = plan;
		const upstream = reuse === undefined ? undefined : passedBy(request);
		const respond = upstream === undefined || this.#answersOwn ? this.#respond : upstream;
		let result: AuthResult | undefined | Promise<AuthResult | undefined>;
		try {
			result =
				reuse === undefined || upstream === undefined
					? plan.authenticate(request, nestReader)
					: reuse(request, nestReader, request.auth ?? null);
		} catch (error) {
			return respond(error, request, response);
		}
		// The request keeps the mark of the first guard that let it through.
		const mark = upstream === undefined ? this.#respond : undefined;
		// A cached token answers synchronously: Nest then awaits nothing.
		if (result instanceof Promise) {
			return result.then(
				(auth) => this.#accept(request, response, auth, mark),
				(error: unknown) => respond(error, request, response),
			);
		}
		return this.#accept(request, response, result, mark);
	}

	#plan(context: ExecutionContext): RoutePlan {
		const handler = context.getHandler();
		const controller = context.getClass();
		const options = routeGuardOptions(handler, controller, this.#guardOptions);
		if (options !== "public" && context.getType() !== "http") {
			throw new Error(
				`bearerguard: BearerGuard checks HTTP requests only, and ${routeName(controller, handler)} is ${context.getType()}: mark it @Public() or guard it otherwise.`,
			);
		}
		const authenticator = this.#authenticator;
		let authenticate =
			options === "public" || options === undefined
				? authenticator.authenticate
				: authenticator.compileGuard(options);
		// Nothing configures it: it can only build on a BearerGuard before it (the error in Nest's words).
		if (authenticator.verifier === undefined)
			authenticate = unconfiguredCheck(routeName(controller, handler));
		const guardOptions = options === "public" || options === undefined ? this.#guardOptions : options;
		const plan: RoutePlan = {
			public: options === "public",
			authenticate,
			reuse: authenticator.reusesUpstream ? createReusingGuard(guardOptions, authenticate) : undefined,
		};
		this.#plans.set(handler, plan);
		return plan;
	}

	#accept(
		request: AuthenticatedRequest,
		response: PlatformResponse,
		auth: AuthResult | undefined,
		mark: Responder | undefined,
	): true {
		request.auth = auth;
		if (mark !== undefined) markPassed(request, mark);
		const { successHeaders } = this.#authenticator;
		if (successHeaders !== undefined && auth !== undefined) {
			const headers = successHeaders(auth);
			if (headers !== undefined) setHeaders(response, headers);
		}
		return true;
	}
}
