/**
 * Why a fetch of metadata or keys failed, said at once: the network code at the bottom of undici's
 * nested causes (`ECONNREFUSED`, `ENOTFOUND`, ...), a timeout, or the HTTP status, in `code` and in
 * the message, so a log line shows it without digging through `cause`s.
 */

/** Options of {@link FetchError}. */
export interface FetchErrorOptions {
	/** The underlying error (kept as `cause`). */
	cause?: unknown;
	/** The code, when the caller knows it; else it comes from `status` or from `cause`. */
	code?: string;
	/** The HTTP status of the answer, when one came. */
	status?: number;
}

/** The deepest `code` of a network error, looking through `cause` and `AggregateError.errors`. */
function networkCode(error: unknown, depth = 0): string | undefined {
	if (typeof error !== "object" || error === null || depth > 8) return undefined;
	const { name, code, cause, errors } = error as {
		name?: unknown;
		code?: unknown;
		cause?: unknown;
		errors?: unknown;
	};
	if (name === "TimeoutError") return "TIMEOUT";
	const deeper =
		networkCode(cause, depth + 1) ?? (Array.isArray(errors) ? networkCode(errors[0], depth + 1) : undefined);
	if (deeper !== undefined) return deeper;
	return typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : undefined;
}

/** The message of the error that carries the code, for the summary (e.g. `connect ECONNREFUSED 127.0.0.1:443`). */
function networkMessage(error: unknown, depth = 0): string | undefined {
	if (typeof error !== "object" || error === null || depth > 8) return undefined;
	const { cause, errors, message } = error as { cause?: unknown; errors?: unknown; message?: unknown };
	const deeper =
		networkMessage(cause, depth + 1) ??
		(Array.isArray(errors) ? networkMessage(errors[0], depth + 1) : undefined);
	return deeper ?? (typeof message === "string" && message !== "" ? message : undefined);
}

/** The statuses that redirect (which bearerguard never follows). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The code of a failed fetch: a network code, `TIMEOUT`, `REDIRECT` or `HTTP_STATUS` for a status, else `NETWORK`. */
function codeOf(options: FetchErrorOptions | undefined): string {
	if (options?.code !== undefined) return options.code;
	const status = options?.status;
	if (status !== undefined) return REDIRECTS.has(status) ? "REDIRECT" : "HTTP_STATUS";
	return networkCode(options?.cause) ?? "NETWORK";
}

/**
 * Why a fetch of metadata or keys failed, for logs (the `cause` of a 503, `health().lastError`).
 * `code` is one of: a network code (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, `UND_ERR_SOCKET`, ...),
 * `TIMEOUT`, `HTTP_STATUS`, `REDIRECT`, `TOO_LARGE`, `NOT_JSON`, `NOT_JWKS`, `ISSUER_MISMATCH`,
 * `NO_JWKS_URI`, `NETWORK` (no code found).
 *
 * @example
 * ```ts
 * if (error.cause instanceof FetchError && error.cause.code === 'ECONNREFUSED') alert('the issuer is down')
 * ```
 */
export class FetchError extends Error {
	/** Why, in one word (see the class description). */
	readonly code: string;
	/** The HTTP status of the answer, when one came. */
	readonly status: number | undefined;

	constructor(message: string, options?: FetchErrorOptions) {
		const code = codeOf(options);
		const derived =
			options?.code === undefined && options?.status === undefined && options?.cause !== undefined;
		const detail = derived ? networkMessage(options?.cause) : undefined;
		super(
			derived ? `${message}: ${code}${detail === undefined ? "" : ` (${detail})`}` : message,
			options?.cause === undefined ? undefined : { cause: options.cause },
		);
		this.name = "FetchError";
		this.code = code;
		this.status = options?.status;
	}
}
