/**
 * The small kit every adapter is built from: its extra options (`onError`, `errorHandling`) and the
 * request as the core reads it. Use it to write an adapter for another framework.
 */
import { type ErrorResponse, toErrorResponse } from "./error-response.js";
import { BearerError } from "./errors.js";
import type { AuthOptions, RequestLike } from "./types.js";

/**
 * Replaces the body of a failure. It gets the error and the default answer; an object it returns is
 * sent as JSON, a string as is, `undefined` keeps the default body. Status and headers stay.
 *
 * @example
 * ```ts
 * const onError: ErrorHook = (error, response) => ({ code: error.code, detail: error.message, status: response.status })
 * ```
 */
export type ErrorHook = (error: BearerError, response: ErrorResponse) => unknown;

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
 * The options every adapter adds to the core's `AuthOptions`.
 *
 * @example
 * ```ts
 * requireAuth({ issuer, audience, onError: (error) => ({ message: error.message }) })
 * ```
 */
export interface AdapterOptions {
	/** Replaces the body of failures (see {@link ErrorHook}). Default: none. */
	onError?: ErrorHook;
	/** `'respond'` (default) answers failures; `'framework'` hands them to the framework's error handling. */
	errorHandling?: ErrorHandling;
}

/** The adapter's own settings, split from the options handed to the core. */
export interface AdapterSettings {
	readonly authOptions: AuthOptions;
	readonly onError: ErrorHook | undefined;
	readonly framework: boolean;
}

/** Splits and checks the adapter's options; a bad value is a `TypeError` now, never per request. */
export function splitAdapterOptions(options: (AuthOptions & AdapterOptions) | undefined): AdapterSettings {
	if (options !== undefined && (typeof options !== "object" || options === null)) {
		throw new TypeError("bearerguard: options must be an object, e.g. requireAuth({ issuer, audience }).");
	}
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

/** What {@link toRequestLike} reads of Node's `IncomingMessage` (`req`, `ctx.req`, `request.raw`). */
export interface RawRequest {
	/** Header names and values, alternating, as received. */
	readonly rawHeaders: readonly string[];
	/** Every header's values, duplicates kept. */
	readonly headersDistinct: Readonly<Record<string, readonly string[] | undefined>>;
}

/**
 * The request as the core reads it, from an adapter. Node keeps only the first of several `Authorization` headers in
 * `headers`, so when `raw.rawHeaders` holds more than one the core is given all of them (and answers
 * 400). The common path allocates nothing: the framework's request itself is the `RequestLike`.
 *
 * @example
 * ```ts
 * const auth = await authenticate(toRequestLike(req, req))
 * ```
 */
export function toRequestLike(raw: RawRequest, request: RequestLike): RequestLike {
	const names = raw.rawHeaders;
	let seen = 0;
	for (let i = 0; i < names.length; i += 2) {
		const name = names[i] as string;
		if (name.length === 13 && name.toLowerCase() === "authorization" && ++seen > 1) {
			return {
				headers: { ...request.headers, authorization: raw.headersDistinct.authorization },
				query: request.query,
				body: request.body,
			};
		}
	}
	return request;
}

/**
 * The answer an adapter sends for a failure: the contract's `toErrorResponse`, with the body `onError`
 * returns, if any (status and headers stay). A throwing `onError` throws here, for the adapter to hand
 * to its framework.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorAnswer(error, realm, onError)
 * ```
 */
export function errorAnswer(error: unknown, realm: string, onError: ErrorHook | undefined): ErrorResponse {
	const response = toErrorResponse(error, { realm });
	if (onError === undefined || !(error instanceof BearerError)) return response;
	return { ...response, body: errorBody(onError(error, response), response.body) };
}
