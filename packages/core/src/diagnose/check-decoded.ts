/** The checks of a decoded token, from its algorithm to its age, each run with the verifier's own code. */
import { normalizeTyp } from "../config/options.js";
import { BearerError, type ErrorReason, invalidToken } from "../http/errors.js";
import type { VerifyKey } from "../keys/key-source.js";
import {
	checkAudienceClaim,
	checkClaimTypes,
	checkExpiryPresent,
	checkIssuerClaim,
	checkTimeClaims,
	readPermissions,
} from "../token/claims.js";
import { type DecodedJws, verifySignature } from "../token/jws.js";
import type { Algorithm } from "../types.js";
import type { VerifierInternals } from "../verifier.js";
import { humanDuration, isoTime, signatureLength } from "./describe.js";
import type { CheckName, DiagnosisCheck } from "./diagnosis-types.js";
import { FIXES } from "./fixes.js";

/** The checks of one diagnosis, in order. */
export class Checks {
	readonly list: DiagnosisCheck[] = [];

	/** Runs `check`: the `BearerError` it throws, or `undefined` when it passes. Other errors go on up. */
	static attempt(check: () => unknown): BearerError | undefined {
		try {
			check();
			return undefined;
		} catch (error) {
			if (error instanceof BearerError) return error;
			throw error;
		}
	}

	pass(name: CheckName, detail: string): void {
		this.list.push({ name, status: "pass", detail, reason: undefined, fix: undefined });
	}

	fail(name: CheckName, reason: ErrorReason, detail: string): void {
		this.list.push({ name, status: "fail", detail, reason, fix: FIXES[reason] });
	}

	skip(name: CheckName, detail: string): void {
		this.list.push({ name, status: "skip", detail, reason: undefined, fix: undefined });
	}

	/** `error`'s failure with `failure` as its detail, or a pass with `detail`; whether it passed. */
	record(name: CheckName, error: BearerError | undefined, detail: string, failure = detail): boolean {
		if (error === undefined) this.pass(name, detail);
		else this.fail(name, error.reason, failure);
		return error === undefined;
	}
}

/** The detail a refusal's cause gives (a `ClaimMismatch`, a `FetchError`), else its message. */
function causeMessage(error: BearerError | undefined): string {
	if (error === undefined) return "";
	return error.cause instanceof Error ? error.cause.message : error.message;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** Which registered claim has the wrong type, for the detail of a `claim_invalid`. */
function claimProblem(claims: Record<string, unknown>, strict: boolean): string {
	for (const name of ["exp", "nbf", "iat"]) {
		const value = claims[name];
		if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value)))
			return `${name} is ${JSON.stringify(value)}, not a number of seconds`;
	}
	for (const name of ["iss", "sub", "jti", "client_id"]) {
		const value = claims[name];
		if (value !== undefined && typeof value !== "string") return `${name} is not a string`;
	}
	const aud = claims.aud;
	if (
		aud !== undefined &&
		typeof aud !== "string" &&
		!(Array.isArray(aud) && aud.every((a) => typeof a === "string"))
	)
		return "aud is neither a string nor an array of strings";
	if (strict) return "a claim RFC 9068 requires (iss, exp, aud, sub, client_id, iat, jti) is missing";
	return "a permissions claim holds something other than a string or an array of strings";
}

/** The key lookup as the middleware does it (fetching the JWKS if needed): the keys, or the failure. */
async function findKeys(verifier: VerifierInternals, checks: Checks, issuer: string, jws: DecodedJws) {
	const kid = jws.header.kid as string | undefined;
	const named = kid === undefined ? "no kid" : `kid ${JSON.stringify(kid)}`;
	try {
		const found = await verifier.keys.keysFor(issuer, jws.alg as Algorithm, kid);
		const from = verifier.options.secret
			? "the shared secret"
			: (verifier.keys.cacheOf(issuer)?.state().uri ?? "the JWKS");
		checks.pass("key", `${plural(found.length, "key")} for ${jws.alg} and ${named}, from ${from}`);
		return found;
	} catch (error) {
		if (!(error instanceof BearerError)) throw error;
		const detail =
			error.reason === "kid_unknown"
				? `no usable ${jws.alg} key with ${named} in the issuer's JWKS, even after a refetch`
				: causeMessage(error);
		checks.fail("key", error.reason, detail);
		return undefined;
	}
}

function checkSignature(checks: Checks, jws: DecodedJws, keys: readonly VerifyKey[]): void {
	const alg = jws.alg as Algorithm;
	if (keys.some((key) => verifySignature(alg, jws.signingInput, jws.signature, key))) {
		checks.pass("signature", `verified with ${alg}`);
		return;
	}
	const expected = keys[0] === undefined ? undefined : signatureLength(alg, keys[0]);
	const actual = jws.signature.length;
	checks.fail(
		"signature",
		"signature_invalid",
		expected !== undefined && actual < expected
			? `the signature is ${actual} bytes where ${alg} with this key makes ${expected}: the token looks cut short (copied incompletely?)`
			: `the signature does not verify with the ${plural(keys.length, "candidate key")}`,
	);
}

async function keyAndSignature(
	verifier: VerifierInternals,
	checks: Checks,
	jws: DecodedJws,
	blocked: string | undefined,
): Promise<void> {
	const kid = jws.header.kid;
	if (kid !== undefined && typeof kid !== "string") {
		checks.fail("key", "token_malformed", "kid is not a string");
		return checks.skip("signature", "no key to check it with");
	}
	const keys =
		blocked === undefined ? await findKeys(verifier, checks, jws.payload.iss as string, jws) : undefined;
	if (blocked !== undefined) checks.skip("key", blocked);
	if (keys === undefined) return checks.skip("signature", "no key to check it with");
	checkSignature(checks, jws, keys);
}

function timeChecks(
	verifier: VerifierInternals,
	checks: Checks,
	claims: Record<string, unknown>,
	now: number,
) {
	const options = verifier.options;
	const untimed = { ...options, maxTokenAge: undefined };
	const tolerance = `clock tolerance ${options.clockTolerance} s`;
	const { exp, nbf, iat } = claims;
	if (exp === undefined) {
		checks.record(
			"expiry",
			Checks.attempt(() => checkExpiryPresent(claims, options)),
			"no exp, and requireExpiry is off",
			"the token has no exp",
		);
	} else if (typeof exp !== "number" || !Number.isFinite(exp)) {
		checks.skip("expiry", "exp is not a number (see claims)");
	} else {
		const error = Checks.attempt(() => checkTimeClaims({ exp }, untimed, now));
		checks.record(
			"expiry",
			error,
			`expires ${isoTime(exp)} (in ${humanDuration(exp - now)})`,
			`expired ${humanDuration(now - exp)} ago (exp ${isoTime(exp)}; ${tolerance})`,
		);
	}
	if (nbf === undefined) checks.pass("not-before", "no nbf");
	else if (typeof nbf !== "number" || !Number.isFinite(nbf))
		checks.skip("not-before", "nbf is not a number (see claims)");
	else {
		const error = Checks.attempt(() => checkTimeClaims({ nbf }, untimed, now));
		checks.record(
			"not-before",
			error,
			`valid since ${isoTime(nbf)}`,
			`valid only from ${isoTime(nbf)}, in ${humanDuration(nbf - now)} (${tolerance})`,
		);
	}
	if (options.maxTokenAge === undefined) return checks.skip("age", 'no "maxTokenAge" set');
	const error = Checks.attempt(() => checkTimeClaims({ iat }, options, now));
	const age =
		typeof iat === "number"
			? `issued ${isoTime(iat)}, ${humanDuration(now - iat)} ${now >= iat ? "ago" : "from now"}`
			: "no iat";
	checks.record("age", error, `${age} (maxTokenAge ${options.maxTokenAge} s)`);
}

/**
 * Runs the checks from `algorithm` to `age` on a decoded token, and `custom`'s place is left to the
 * caller. Returns the token's permissions when its permission claims are valid.
 */
export async function checkDecoded(
	verifier: VerifierInternals,
	checks: Checks,
	jws: DecodedJws,
	now: number,
): Promise<ReadonlySet<string> | undefined> {
	const options = verifier.options;
	const { header, payload, alg } = jws;
	const allowed = [...options.algorithms].join(", ");
	const algOk = checks.record(
		"algorithm",
		options.algorithms.has(alg as Algorithm) ? undefined : invalidToken("alg_not_allowed"),
		`${alg} is allowed`,
		`${alg} is not one of "algorithms" (${allowed})`,
	);
	const extension = header.crit !== undefined ? "crit" : header.b64 !== undefined ? "b64" : undefined;
	checks.record(
		"critical",
		extension === undefined ? undefined : invalidToken("crit_unsupported"),
		"no crit or b64 header parameter",
		`the header has ${extension}`,
	);
	if (options.typ === undefined) checks.skip("type", 'no "typ" required');
	else {
		const typ = header.typ;
		const ok = typeof typ === "string" && normalizeTyp(typ) === options.typ;
		checks.record(
			"type",
			ok ? undefined : invalidToken("typ_mismatch"),
			`typ ${String(typ)}, as required`,
			`typ ${JSON.stringify(typ)} where ${options.typ} is required`,
		);
	}
	const issuerError = Checks.attempt(() => checkIssuerClaim(payload, options));
	checks.record(
		"issuer",
		issuerError,
		`iss ${JSON.stringify(payload.iss)} is configured`,
		causeMessage(issuerError),
	);
	const blocked = !algOk
		? "not looked up: the algorithm is not allowed"
		: issuerError !== undefined
			? "not looked up: keys are fetched only for a configured issuer"
			: undefined;
	await keyAndSignature(verifier, checks, jws, blocked);
	let permissions: ReadonlySet<string> | undefined;
	const typesError = Checks.attempt(() => {
		checkClaimTypes(payload, options);
		permissions = readPermissions(payload, options.permissionsClaims);
	});
	const strict = options.typ === "at+jwt";
	checks.record(
		"claims",
		typesError,
		`registered claims have their JSON types${strict ? ", and RFC 9068's are all there" : ""}`,
		claimProblem(payload, strict),
	);
	const audienceError = Checks.attempt(() => checkAudienceClaim(payload, options));
	checks.record(
		"audience",
		audienceError,
		`aud ${JSON.stringify(payload.aud)} holds an accepted audience`,
		causeMessage(audienceError),
	);
	timeChecks(verifier, checks, payload, now);
	return permissions;
}
