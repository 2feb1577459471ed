/**
 * The error of a guard that was set up so it cannot work: a programming error, not the client's. It is
 * handed to the framework's error handling (never answered as a 401), and its answer is a 500 whose
 * body says nothing about it.
 */

/** The body any framework sends when it serialises this error (Fastify's default handler does). */
const GENERIC_BODY = Object.freeze({ error: "server_error", message: "Internal server error" });

/**
 * A guard that cannot work as set up, e.g. `requirePermissions('delete')` with no `requireAuth` before
 * it, or `requireAuth({ permissions })` with nothing configured and no guard before it. Its `message`
 * says what to add; it carries `status`/`statusCode` 500 and `expose: false`, so Express, Koa and
 * Fastify answer a 500 without showing it, and its JSON form is a generic body.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof GuardSetupError) log.error(err.message) // what to add
 *   next(err)
 * })
 * ```
 */
export class GuardSetupError extends Error {
	/** The answer's status. */
	readonly status = 500 as const;
	/** Koa shows no message of an error with `expose: false`. */
	readonly expose = false;

	constructor(message: string) {
		super(`bearerguard: ${message}`);
		this.name = "GuardSetupError";
	}

	/** Same as `status`, for frameworks that read `statusCode` (Express, Fastify). */
	get statusCode(): number {
		return this.status;
	}

	/** What a framework that serialises the error sends: a generic body, never the message. */
	toJSON(): { error: string; message: string } {
		return GENERIC_BODY;
	}
}
