/**
 * The detail of an `issuer_mismatch` or `audience_mismatch`, for logs only: what was expected and what
 * the token said. It is the refusal's `cause`; the answer's message stays fixed.
 */

/** Longest string, and most array items, repeated from a token (its claims are the sender's choice). */
const MAX_CHARS = 200;
const MAX_ITEMS = 10;

/** A bounded copy of an unverified claim value: long strings cut, long arrays shortened. */
function bounded(value: unknown): unknown {
	if (typeof value === "string") return value.length > MAX_CHARS ? `${value.slice(0, MAX_CHARS)}…` : value;
	if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => bounded(item));
	if (typeof value === "object" && value !== null) return "[object]";
	return value;
}

/**
 * Why a token's `iss` or `aud` was refused: the accepted values and the token's own (bounded: at most
 * 200 characters per string, 10 items). The `cause` of the 401, never shown to the client.
 *
 * @example
 * ```ts
 * if (error.cause instanceof ClaimMismatch) log.info({ expected: error.cause.expected, actual: error.cause.actual })
 * ```
 */
export class ClaimMismatch extends Error {
	/** The claim: `iss`, `aud`, or the configured `audienceClaim`. */
	readonly claim: string;
	/** The configured issuers or audiences. */
	readonly expected: readonly string[];
	/** The token's value (bounded), `undefined` when it has none. */
	readonly actual: unknown;

	constructor(claim: string, expected: readonly string[], actual: unknown) {
		const shown = bounded(actual);
		const wanted = claim === "iss" ? "one of the configured issuers" : "one of the accepted audiences";
		const said = shown === undefined ? `no ${claim}` : `${claim} ${JSON.stringify(shown)}`;
		super(`the token has ${said}; expected ${wanted} ${JSON.stringify(expected)}`);
		this.name = "ClaimMismatch";
		this.claim = claim;
		this.expected = expected;
		this.actual = shown;
	}
}
