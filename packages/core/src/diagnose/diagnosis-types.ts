import type { ErrorCode, ErrorReason } from "../http/errors.js";

/** The checks `verifier.diagnose()` runs, in the order the middleware runs them. */
export type CheckName =
	| "length"
	| "format"
	| "algorithm"
	| "critical"
	| "type"
	| "issuer"
	| "key"
	| "signature"
	| "claims"
	| "audience"
	| "expiry"
	| "not-before"
	| "age"
	| "custom"
	| "organization"
	| "permissions";

/** One check of a diagnosis: passed, failed (with the refusal's reason and the fix), or skipped (and why). */
export interface DiagnosisCheck {
	/** Which check. */
	readonly name: CheckName;
	/** `pass`, `fail`, or `skip` (not configured, or it depends on a check that failed). */
	readonly status: "pass" | "fail" | "skip";
	/** What was seen, in a sentence (the expected and actual values, times in ISO 8601 and relative). */
	readonly detail: string;
	/** The refusal's `reason`, when it failed. */
	readonly reason: ErrorReason | undefined;
	/** What to fix, when it failed. */
	readonly fix: string | undefined;
}

/** The answer the middleware would give: 200 when accepted. */
export interface DiagnosisVerdict {
	/** The HTTP status: 200, or the refusal's 400, 401, 403, 503. */
	readonly status: number;
	/** The body's `error` when refused. */
	readonly error: ErrorCode | undefined;
	/** The refusal's `reason`. */
	readonly reason: ErrorReason | undefined;
	/** The body's `message`. */
	readonly message: string | undefined;
}

/**
 * What `verifier.diagnose(token)` finds: every check with its result (it goes on past the first
 * failure where a later check still means something), and the verdict of the real verification,
 * which the adapters would answer.
 *
 * @example
 * ```ts
 * const { accepted, checks } = await verifier.diagnose(token)
 * for (const check of checks) if (check.status === 'fail') console.log(check.name, check.reason, check.fix)
 * ```
 */
export interface Diagnosis {
	/** Whether the middleware would accept the token (with the given permissions and organization). */
	readonly accepted: boolean;
	/** The middleware's answer. */
	readonly verdict: DiagnosisVerdict;
	/** Every check, in order. */
	readonly checks: readonly DiagnosisCheck[];
	/** The decoded protected header, when the token could be decoded. */
	readonly header: Readonly<Record<string, unknown>> | undefined;
	/** The decoded claims (unverified unless `accepted`), when the token could be decoded. */
	readonly claims: Readonly<Record<string, unknown>> | undefined;
}

/** What a request would bring besides the token, for `verifier.diagnose()`. */
export interface DiagnoseOptions {
	/** Permissions the route requires, every one (as `requireAuth({ permissions })`). */
	permissions?: readonly string[];
	/** Permissions of which the route requires one (as `requireAuth({ anyPermission })`). */
	anyPermission?: readonly string[];
	/** The request's organization header value, when `organization.header` is configured. */
	organization?: string;
}
