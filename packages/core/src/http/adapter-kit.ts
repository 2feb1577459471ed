/**
 * The small kit every adapter is built from: its extra options (`onError`, `errorHandling`) and the
 * answer to a failure. With {@link RequestReader} (./request.ts) and `createAuthenticator`, it is all an
 * adapter for another framework needs.
 */
import { checkOptionNames } from "../config/option-names.js";
import type { AuthOptions, Verifier } from "../types.js";
import type { ChallengeSettings } from "./challenge.js";
import { type ErrorResponse, toErrorResponse } from "./error-response.js";
import { BearerError } from "./errors.js";

/**
 * Replaces the body of a failure. It gets the error, the default answer, and the framework's request
 * (Express `req`, Koa `ctx`, Fastify `request`), so a log line can carry the request's id and route. An
 * object it returns is sent as JSON, a string as is, `undefined` keeps the default body. Status and
 * headers stay.
 *
 * @example
 * ```ts
 * const onError: ErrorHook = (error, response) => ({ code: error.code, detail: error.message, status: response.status })
 * ```
 */
export type ErrorHook<R = unknown> = (error: BearerError, response: ErrorResponse, request: R) => unknown;

/**
 * Who answers a failure: the middleware itself (`'respond'`, the default: the contract's status,
 * headers and JSON body) or the framework's own error handling (`'framework'`; the error carries
 * `status`, `statusCode`, `expose` and `headers`).
 *
 * @example
 * ```ts
 * const handling: ErrorHandling = 'framework'
 * ```
 */
export type ErrorHandling = "respond" | "framework";

/**
 * The options every adapter adds to the core's `AuthOptions`; `R` is the framework's request type.
 *
 * @example
 * ```ts
 * requireAuth({ issuer, audience, onError: (error) => ({ message: error.message }) })
 * ```
 */
export interface AdapterOptions<R = unknown> {
	/** Replaces the body of failures (see {@link ErrorHook}). Default: none. */
	onError?: ErrorHook<R>;
	/** `'respond'` (default) answers failures; `'framework'` hands them to the framework's error handling. */
	errorHandling?: ErrorHandling;
}

/** The adapter's own settings, split from the options handed to the core. */
export interface AdapterSettings<R = unknown> {
	readonly authOptions: AuthOptions;
	readonly onError: ErrorHook<R> | undefined;
	readonly framework: boolean;
}

/**
 * Splits and checks the adapter's options; a bad value or an unknown name is a `TypeError` now, never
 * per request.
 */
export function splitAdapterOptions<R = unknown>(
	options: (AuthOptions & AdapterOptions<R>) | undefined,
): AdapterSettings<R> {
	if (options !== undefined && (typeof options !== "object" || options === null)) {
		throw new TypeError("bearerguard: options must be an object, e.g. requireAuth({ issuer, audience }).");
	}
	if (options !== undefined) checkOptionNames(options, "adapter");
	const { onError, errorHandling, ...authOptions } = options ?? {};
	if (onError !== undefined && typeof onError !== "function") {
		throw new TypeError("bearerguard: onError must be a function (error, response) => body, or left out.");
	}
	if (errorHandling !== undefined && errorHandling !== "respond" && errorHandling !== "framework") {
		throw new TypeError("bearerguard: errorHandling must be 'respond' or 'framework', or left out.");
	}
	return { authOptions, onError, framework: errorHandling === "framework" };
}

/** The body to send: `onError`'s return value when it gave one (object as JSON, string as is), else the default. */
export function errorBody(value: unknown, fallback: string): string {
	if (value === undefined) return fallback;
	return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Gives an error the challenge settings of the guard that answers it, unless a verifier set its own
 * (a `requirePermissions` error, say, was made outside any verifier).
 *
 * @example
 * ```ts
 * stampChallenge(error, authenticator.challengeSettings)
 * ```
 */
export function stampChallenge(error: unknown, settings: ChallengeSettings): void {
	if (error instanceof BearerError && error.challengeSettings === undefined) {
		error.challengeSettings = settings;
	}
}

/**
 * The answer an adapter sends for a failure: the contract's `toErrorResponse` in the guard's challenge
 * settings, with the body `onError` returns, if any (status and headers stay). A throwing `onError`
 * throws here, for the adapter to hand to its framework.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorAnswer(error, authenticator.challengeSettings, onError, req)
 * ```
 */
export function errorAnswer<R>(
	error: unknown,
	settings: ChallengeSettings,
	onError: ErrorHook<R> | undefined,
	request: R,
): ErrorResponse {
	stampChallenge(error, settings);
	const response = toErrorResponse(error);
	if (onError === undefined || !(error instanceof BearerError)) return response;
	return { ...response, body: errorBody(onError(error, response, request), response.body) };
}

/**
 * Makes the verifier behind a middleware reachable as its `verifier` property (`ready()`, `health()`),
 * for a readiness route. A guard given only guard options with nothing configured has none: reading
 * the property then throws a `TypeError` that says which guard to ask instead.
 *
 * @example
 * ```ts
 * return attachVerifier(middleware, authenticator.verifier)
 * ```
 */
export function attachVerifier<T extends object>(
	target: T,
	verifier: Verifier | undefined,
): T & { readonly verifier: Verifier } {
	return Object.defineProperty(target, "verifier", {
		enumerable: true,
		get(): Verifier {
			if (verifier === undefined) {
				throw new TypeError(
					"bearerguard: this requireAuth() has only guard options and nothing configures a verifier, so it has none: read .verifier of the requireAuth({ issuer, audience }) before it.",
				);
			}
			return verifier;
		},
	}) as T & { readonly verifier: Verifier };
}
