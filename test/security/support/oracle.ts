import { BearerError, MESSAGES } from "@bearerguard/core";
import fc from "fast-check";
import { expect } from "vitest";

/**
 * The documented failures (SPEC.md "Responses", core `errors.ts`): every error bearerguard throws for a
 * request is a `BearerError` whose status, code, reason and message are one of these, and nothing else.
 */
export const DOCUMENTED: Readonly<
	Record<400 | 401 | 403 | 503, { code: string; reasons: readonly string[] }>
> = {
	400: {
		code: "invalid_request",
		reasons: [
			"authorization_malformed",
			"authorization_duplicated",
			"token_in_several_places",
			"organization_invalid",
			"organization_mismatch",
		],
	},
	401: {
		code: "invalid_token",
		reasons: [
			"token_missing",
			"token_too_long",
			"token_malformed",
			"alg_not_allowed",
			"crit_unsupported",
			"typ_mismatch",
			"kid_unknown",
			"signature_invalid",
			"claim_invalid",
			"issuer_mismatch",
			"audience_mismatch",
			"token_expired",
			"expiry_missing",
			"not_yet_valid",
			"token_too_old",
			"issued_in_future",
			"validation_failed",
			"revoked",
		],
	},
	403: { code: "insufficient_scope", reasons: ["insufficient_scope"] },
	503: {
		code: "temporarily_unavailable",
		reasons: ["discovery_failed", "discovery_issuer_mismatch", "jwks_unavailable", "revocation_check_failed"],
	},
};

/** Every fixed client-facing message. */
export const DOCUMENTED_MESSAGES: ReadonlySet<string> = new Set(Object.values(MESSAGES));

/**
 * Asserts that `error` is a documented bearerguard error with one of `statuses` (and, when given, one
 * of `reasons`): a `BearerError` subclass, the status's code, a documented reason and its fixed message.
 */
export function expectDocumentedError(
	error: unknown,
	statuses: ReadonlyArray<400 | 401 | 403 | 503>,
	reasons?: readonly string[],
): void {
	if (!(error instanceof BearerError)) {
		throw new Error(`not a BearerError: ${String(error)}`, { cause: error });
	}
	const status = error.status;
	expect(statuses).toContain(status);
	expect(error.code).toBe(DOCUMENTED[status].code);
	expect(DOCUMENTED[status].reasons).toContain(error.reason);
	if (reasons) expect(reasons).toContain(error.reason);
	expect(error.message).toBe(MESSAGES[error.reason]);
	expect(error.statusCode).toBe(status);
}

/** Runs `fn`; returns its value, or `undefined` after checking that it threw a documented error. */
export async function settle<T>(
	fn: () => T | Promise<T>,
	statuses: ReadonlyArray<400 | 401 | 403 | 503>,
	reasons?: readonly string[],
): Promise<{ ok: true; value: T } | { ok: false; error: BearerError }> {
	try {
		return { ok: true, value: await fn() };
	} catch (error) {
		expectDocumentedError(error, statuses, reasons);
		return { ok: false, error: error as BearerError };
	}
}

/** Scale of the property runs: 1 in CI, `BEARERGUARD_FUZZ_SCALE` (e.g. 100) in the nightly run. */
export const FUZZ_SCALE = Math.max(1, Number(process.env.BEARERGUARD_FUZZ_SCALE ?? 1) || 1);

// `BEARERGUARD_FUZZ_SEED` replays a run (fast-check prints the seed of a failure).
if (process.env.BEARERGUARD_FUZZ_SEED !== undefined) {
	fc.configureGlobal({ seed: Number(process.env.BEARERGUARD_FUZZ_SEED) });
}

/** `runs` scaled for this run, and a test timeout that grows with it. */
export function runs(base: number): { numRuns: number; timeout: number } {
	return { numRuns: base * FUZZ_SCALE, timeout: 30_000 * FUZZ_SCALE };
}
