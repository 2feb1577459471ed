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

const JSON_NO_STORE = { "content-type": "application/json", "cache-control": "no-store" } as const;

const INTERNAL: ErrorResponse = Object.freeze({
	status: 500,
	headers: Object.freeze({ ...JSON_NO_STORE }),
	body: '{"error":"server_error","message":"Internal server error"}',
});

/** Quotes a value for an RFC 7235 quoted-string. */
function quote(value: string): string {
	return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Builds the `WWW-Authenticate` value for an error, or `undefined` for a 503. */
export function challenge(error: BearerError, realm = error.realm): string | undefined {
	if (error.status === 503) return undefined;
	const parts = [`Bearer realm=${quote(realm)}`];
	if (error.reason === "token_missing") return parts[0];
	parts.push(`error=${quote(error.code)}`, `error_description=${quote(error.message)}`);
	if ("scope" in error && Array.isArray(error.scope)) parts.push(`scope=${quote(error.scope.join(" "))}`);
	return parts.join(", ");
}

/** The response headers of an error (used by `BearerError#headers` and {@link toErrorResponse}). */
export function errorHeaders(error: BearerError, realm = error.realm): Record<string, string> {
	const headers: Record<string, string> = { ...JSON_NO_STORE };
	const value = challenge(error, realm);
	if (value !== undefined) headers["www-authenticate"] = value;
	if ("retryAfter" in error && typeof error.retryAfter === "number") {
		headers["retry-after"] = String(error.retryAfter);
	}
	return headers;
}

function isBearerError(error: unknown): error is BearerError {
	return (
		error instanceof Error &&
		typeof (error as Partial<BearerError>).reason === "string" &&
		typeof (error as Partial<BearerError>).code === "string" &&
		typeof (error as Partial<BearerError>).status === "number" &&
		"realm" in error
	);
}

const cache = new Map<string, ErrorResponse>();

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
	const realm = options?.realm ?? error.realm;
	// The answer depends only on these fields, so it is built once and reused.
	const scope = "scope" in error && Array.isArray(error.scope) ? error.scope.join(" ") : "";
	const retry = "retryAfter" in error ? String(error.retryAfter) : "";
	const key = `${realm}\u0000${error.status}\u0000${error.code}\u0000${error.reason}\u0000${error.message}\u0000${scope}\u0000${retry}`;
	let response = cache.get(key);
	if (response === undefined) {
		response = Object.freeze({
			status: error.status,
			headers: Object.freeze(errorHeaders(error, realm)),
			body: JSON.stringify({ error: error.code, message: error.message }),
		});
		if (cache.size >= 1000) cache.clear();
		cache.set(key, response);
	}
	return response;
}
