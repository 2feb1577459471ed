/** Why a revocation list cannot vouch for a token right now. */
export type RevocationUnavailableReason = "stale" | "incomplete" | "closed";

const MESSAGES: Readonly<Record<RevocationUnavailableReason, string>> = {
	stale: "The revocation list has not heard from Redis for longer than maxStaleness",
	incomplete:
		"The revocation list holds more revocations than maxEntries allows, so it cannot vouch for a token",
	closed: "The revocation list was closed",
};

/**
 * Thrown by `list.isRevoked` when the mirror cannot vouch for a token: it is stale (no word from Redis
 * for longer than `maxStaleness`), incomplete (more live revocations than `maxEntries`), or closed.
 * The verifier turns it into a 503 `temporarily_unavailable` (reason `revocation_check_failed`) with this
 * error as the `cause`; with `failOpen: true` only `closed` is thrown.
 *
 * @example
 * ```ts
 * app.use(requireAuth({ isRevoked: list.isRevoked, errorHandling: 'framework' }))
 * app.use((err, req, res, next) => {
 *   if (err.cause instanceof RevocationUnavailableError) log.warn({ reason: err.cause.reason })
 *   next(err)
 * })
 * ```
 */
export class RevocationUnavailableError extends Error {
	/** Machine-readable: `'stale'`, `'incomplete'` or `'closed'`. */
	readonly reason: RevocationUnavailableReason;

	constructor(reason: RevocationUnavailableReason) {
		super(MESSAGES[reason]);
		this.name = "RevocationUnavailableError";
		this.reason = reason;
	}
}
