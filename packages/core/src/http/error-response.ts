import type { ChallengeSettings } from "./challenge.js";
import { errorHeaders, JSON_NO_STORE } from "./error-headers.js";
import type { BearerError } from "./errors.js";

/** A ready-to-send HTTP answer: status, headers (lower-case names) and the JSON body as a string. */
export interface ErrorResponse {
	/** HTTP status: 400, 401, 403, 503, or 500 for an error that is not bearerguard's. */
	readonly status: number;
	/** `content-type`, `cache-control`, and `www-authenticate` or `retry-after` when they apply. */
	readonly headers: Readonly<Record<string, string>>;
	/** `{"error":"<code>","message":"<fixed text>"}`, already serialised. */
	readonly body: string;
}

/** Options of {@link toErrorResponse}. */
export interface ErrorResponseOptions {
	/** The challenge's `realm`. Default: the error's own (the verifier's `realm`, `'api'` by default). */
	realm?: string;
}

const INTERNAL: ErrorResponse = Object.freeze({
	status: 500,
	headers: Object.freeze({ ...JSON_NO_STORE }),
	body: '{"error":"server_error","message":"Internal server error"}',
});

function isBearerError(error: unknown): error is BearerError {
	return (
		error instanceof Error &&
		typeof (error as Partial<BearerError>).reason === "string" &&
		typeof (error as Partial<BearerError>).code === "string" &&
		typeof (error as Partial<BearerError>).status === "number" &&
		typeof (error as Partial<BearerError>).settings === "function"
	);
}

const cache = new Map<string, ErrorResponse>();

/** Everything an answer depends on, as one string: equal keys, byte-for-byte equal answers. */
function keyOf(error: BearerError, settings: ChallengeSettings): string {
	const scope = "scope" in error && Array.isArray(error.scope) ? error.scope.join(" ") : "";
	const retry = "retryAfter" in error ? String(error.retryAfter) : "";
	const dpop = settings.dpop === undefined ? "" : `${settings.dpop.algs}\u0001${settings.dpop.required}`;
	const extra = error.answerHeaders === undefined ? "" : JSON.stringify(error.answerHeaders);
	return [
		settings.realm,
		dpop,
		settings.resourceMetadata ?? "",
		error.scheme ?? "",
		error.status,
		error.code,
		error.reason,
		error.message,
		scope,
		retry,
		extra,
	].join("\u0000");
}

/**
 * Maps an error to the contract's HTTP answer, byte for byte the same in every adapter.
 * Anything that is not a bearerguard error becomes a 500 whose body says nothing about it.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toErrorResponse(err)
 * res.writeHead(status, headers).end(body)
 * ```
 */
export function toErrorResponse(error: unknown, options?: ErrorResponseOptions): ErrorResponse {
	if (!isBearerError(error)) return INTERNAL;
	const own = error.settings();
	const settings = options?.realm === undefined ? own : { ...own, realm: options.realm };
	// The answer depends only on these fields, so it is built once and reused.
	const key = keyOf(error, settings);
	let response = cache.get(key);
	if (response === undefined) {
		response = Object.freeze({
			status: error.status,
			headers: Object.freeze(errorHeaders(error, settings)),
			body: JSON.stringify({ error: error.code, message: error.message }),
		});
		if (cache.size >= 1000) cache.clear();
		cache.set(key, response);
	}
	return response;
}
