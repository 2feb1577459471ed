/**
 * `verifier.diagnose(token)`: every check of a verification, each with its result, the reason and the
 * fix, and the verdict of the real verification. The checks are the verifier's own functions, run one
 * by one (going on past a failure where a later check still means something); only the wording is
 * added here. For `bearerguard inspect` and anyone asking "why was this token refused?".
 */
import { authorize } from "../authorize.js";
import { BearerError, invalidToken } from "../http/errors.js";
import { type DecodedJws, decodeJws } from "../token/jws.js";
import type { VerifiedToken } from "../token/token-cache.js";
import { verifyJwt } from "../token/verify-jwt.js";
import type { AuthResult } from "../types.js";
import type { VerifierInternals } from "../verifier.js";
import { Checks, checkDecoded } from "./check-decoded.js";
import { describeMalformed } from "./describe.js";
import type { CheckName, DiagnoseOptions, Diagnosis, DiagnosisVerdict } from "./diagnosis-types.js";

const AFTER_FORMAT: readonly CheckName[] = [
	"algorithm",
	"critical",
	"type",
	"issuer",
	"key",
	"signature",
	"claims",
	"audience",
	"expiry",
	"not-before",
	"age",
	"custom",
	"organization",
	"permissions",
];

/** The verdict of the real verification and authorization, as the middleware would answer. */
async function verdictOf(
	verifier: VerifierInternals,
	token: string,
	request: DiagnoseOptions,
): Promise<DiagnosisVerdict> {
	try {
		const auth = await verifier.verifyToken(token, { organization: request.organization }, false);
		authorize(auth, { permissions: request.permissions, anyPermission: request.anyPermission });
		return { status: 200, error: undefined, reason: undefined, message: undefined };
	} catch (error) {
		if (!(error instanceof BearerError)) throw error;
		return { status: error.status, error: error.code, reason: error.reason, message: error.message };
	}
}

/** Signature and claims as the verifier checks them, for the checks that need a verified token. */
async function verified(verifier: VerifierInternals, token: string): Promise<VerifiedToken | undefined> {
	try {
		return await verifyJwt(token, verifier.options, verifier.keys);
	} catch (error) {
		if (error instanceof BearerError) return undefined;
		throw error;
	}
}

function organizationCheck(
	verifier: VerifierInternals,
	checks: Checks,
	entry: VerifiedToken | undefined,
	request: DiagnoseOptions,
) {
	const organization = verifier.options.organization;
	if (organization === undefined)
		return checks.skip("organization", 'organization checks are off ("organization")');
	if (entry === undefined) return checks.skip("organization", "not reached: the token did not verify");
	const found = entry.auth.organization;
	if (!entry.organizationValid) {
		return checks.fail(
			"organization",
			"organization_invalid",
			`the ${organization.claim.label} claim is missing or does not match ${organization.pattern}`,
		);
	}
	if (request.organization !== undefined && request.organization !== found) {
		return checks.fail(
			"organization",
			"organization_mismatch",
			`the request's organization ${JSON.stringify(request.organization)} is not the token's ${JSON.stringify(found)}`,
		);
	}
	checks.pass(
		"organization",
		found === undefined ? "no organization claim (not required)" : `organization ${found}`,
	);
}

function permissionsCheck(
	checks: Checks,
	permissions: ReadonlySet<string> | undefined,
	request: DiagnoseOptions,
) {
	const grants = permissions === undefined ? "unknown" : [...permissions].join(" ") || "nothing";
	if (request.permissions === undefined && request.anyPermission === undefined) {
		return checks.skip("permissions", `none required; the token grants: ${grants}`);
	}
	if (permissions === undefined)
		return checks.skip("permissions", "not reached: the permission claims are invalid");
	const error = Checks.attempt(() =>
		authorize({ permissions } as AuthResult, {
			permissions: request.permissions,
			anyPermission: request.anyPermission,
		}),
	);
	const required =
		request.permissions !== undefined
			? `all of ${request.permissions.join(" ")}`
			: `one of ${request.anyPermission?.join(" ")}`;
	checks.record("permissions", error, `requires ${required}; the token grants: ${grants}`);
}

/** `validate` and `isRevoked`, whose answer only the real verification has. */
function customCheck(verifier: VerifierInternals, checks: Checks, verdict: DiagnosisVerdict) {
	const { validate, isRevoked } = verifier.options;
	if (validate === undefined && isRevoked === undefined)
		return checks.skip("custom", "no validate or isRevoked configured");
	const reason = verdict.reason;
	if (reason === "validation_failed" || reason === "revoked" || reason === "revocation_check_failed") {
		return checks.fail("custom", reason, `the verification answered ${reason}`);
	}
	if (
		verdict.status === 200 ||
		reason === "organization_invalid" ||
		reason === "organization_mismatch" ||
		reason === "insufficient_scope"
	) {
		return checks.pass("custom", "validate and isRevoked accepted the token");
	}
	checks.skip("custom", "not reached: an earlier check failed");
}

/** Every check of a token, and the verdict of the real verification (see {@link Diagnosis}). */
export async function diagnose(
	verifier: VerifierInternals,
	token: string,
	request: DiagnoseOptions = {},
): Promise<Diagnosis> {
	if (typeof token !== "string") throw new TypeError("bearerguard: diagnose() takes the token as a string.");
	const { maxTokenLength } = verifier.options;
	const checks = new Checks();
	checks.record(
		"length",
		token.length > maxTokenLength ? invalidToken("token_too_long") : undefined,
		`${token.length} characters (at most ${maxTokenLength})`,
	);
	let jws: DecodedJws | undefined;
	const malformed = Checks.attempt(() => {
		jws = decodeJws(token);
	});
	const verdict = await verdictOf(verifier, token, request);
	if (jws === undefined) {
		checks.fail("format", malformed?.reason ?? "token_malformed", describeMalformed(token));
		for (const name of AFTER_FORMAT) checks.skip(name, "the token could not be decoded");
		return { accepted: false, verdict, checks: checks.list, header: undefined, claims: undefined };
	}
	const decoded: DecodedJws = jws;
	checks.pass("format", "a compact JWS: three base64url parts, a JSON header and payload");
	const permissions = await checkDecoded(verifier, checks, decoded, Date.now() / 1000);
	const entry = await verified(verifier, token);
	customCheck(verifier, checks, verdict);
	organizationCheck(verifier, checks, entry, request);
	permissionsCheck(checks, entry?.auth.permissions ?? permissions, request);
	return {
		accepted: verdict.status === 200,
		verdict,
		checks: checks.list,
		header: decoded.header,
		claims: decoded.payload,
	};
}
