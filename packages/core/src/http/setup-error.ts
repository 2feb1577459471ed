/**
 * The error of a guard that was set up so it cannot work: a programming error, not the client's. It is
 * handed to the framework's error handling (never answered as a 401), whose answer is a 500.
 */

/**
 * A guard that cannot work as set up, e.g. `requirePermissions('delete')` with no `requireAuth` before
 * it, or `requireAuth({ permissions })` with nothing configured and no guard before it. Its `message`
 * says what to add; it carries `status` 500 and `expose: false`, so Express (in production), Koa and
 * Nest's default filter answer a 500 that does not show it. Fastify's default error handler sends the
 * message of every error; set an error handler to hide 500s there. It has no `statusCode`: Nest's
 * default filter in 11.0 to 11.2.7 and 12.0 to 12.2 sends the message of any error that has one.
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
}
