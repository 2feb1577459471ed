/**
 * The error of a guard that was set up so it cannot work: a programming error, not the client's. It is
 * handed to the framework's error handling (never answered as a 401), whose answer is a 500.
 */

/**
 * A guard that cannot work as set up, e.g. `requirePermissions('delete')` with no `requireAuth` before
 * it, or `requireAuth({ permissions })` with nothing configured and no guard before it. Its `message`
 * says what to add; it carries `status`/`statusCode` 500 and `expose: false`, so Express (in
 * production) and Koa answer a 500 that does not show it. Fastify's default error handler sends the
 * message of every error; set an error handler to hide 500s there.
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
}
