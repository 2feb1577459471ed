/**
 * One error per request: a call shared by concurrent requests (single flight) rejects once, and each
 * request gets its own copy, since the guard and the verifier stamp an error with how its request was
 * answered (challenge settings, scheme, answer headers).
 */
import {
	InvalidRequestError,
	InvalidTokenError,
	invalidRequest,
	invalidToken,
	TemporarilyUnavailableError,
} from "../http/errors.js";

/**
 * Throws a fresh copy of a shared refusal (same class, reason, message and cause); any other error as it is.
 *
 * @example
 * ```ts
 * return shared.then((entry) => entry, rethrowFresh)
 * ```
 */
export function rethrowFresh(error: unknown): never {
	if (error instanceof InvalidTokenError) throw invalidToken(error.reason, error.cause);
	if (error instanceof TemporarilyUnavailableError) {
		throw new TemporarilyUnavailableError(error.reason, error.retryAfter, { cause: error.cause });
	}
	if (error instanceof InvalidRequestError) throw invalidRequest(error.reason, error.cause);
	throw error;
}
