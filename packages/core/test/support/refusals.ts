import { expect, vi } from "vitest";
import {
	type BearerError,
	type ErrorReason,
	InsufficientScopeError,
	InvalidDpopProofError,
	InvalidRequestError,
	InvalidTokenError,
	TemporarilyUnavailableError,
	UseDpopNonceError,
} from "../../src/index.js";

type ErrorClass =
	| typeof InvalidRequestError
	| typeof InvalidTokenError
	| typeof InvalidDpopProofError
	| typeof UseDpopNonceError
	| typeof InsufficientScopeError
	| typeof TemporarilyUnavailableError;

interface Expected {
	readonly type: ErrorClass;
	readonly status: 400 | 401 | 403 | 503;
	readonly code: string;
	readonly message: string;
}

const bad = (message: string): Expected => ({
	type: InvalidRequestError,
	status: 400,
	code: "invalid_request",
	message,
});
const invalid = (message: string): Expected => ({
	type: InvalidTokenError,
	status: 401,
	code: "invalid_token",
	message,
});
const proof = (message: string): Expected => ({
	type: InvalidDpopProofError,
	status: 401,
	code: "invalid_dpop_proof",
	message,
});
const nonce = (message: string): Expected => ({
	type: UseDpopNonceError,
	status: 401,
	code: "use_dpop_nonce",
	message,
});
const unavailable = (message: string): Expected => ({
	type: TemporarilyUnavailableError,
	status: 503,
	code: "temporarily_unavailable",
	message,
});

/** What every reason must look like, written out here (not read from the source) so the tests pin it. */
export const EXPECTED: Readonly<Record<ErrorReason, Expected>> = {
	authorization_malformed: bad("Malformed Authorization header"),
	authorization_duplicated: bad("Duplicate Authorization header"),
	token_in_several_places: bad("Token sent by more than one method"),
	organization_invalid: bad("Missing or invalid organization ID"),
	organization_mismatch: bad("Missing or invalid organization ID"),
	token_missing: invalid("Missing bearer token"),
	token_too_long: invalid("Token is too long"),
	token_malformed: invalid("Malformed token"),
	alg_not_allowed: invalid("Token algorithm is not allowed"),
	crit_unsupported: invalid("Token has unsupported critical header parameters"),
	typ_mismatch: invalid("Unexpected token type"),
	kid_unknown: invalid("Token signing key is unknown"),
	signature_invalid: invalid("Invalid token signature"),
	claim_invalid: invalid("Token has an invalid claim"),
	issuer_mismatch: invalid("Unexpected token issuer"),
	audience_mismatch: invalid("Unexpected token audience"),
	token_expired: invalid("Token has expired"),
	expiry_missing: invalid("Token has no expiry"),
	not_yet_valid: invalid("Token is not yet valid"),
	token_too_old: invalid("Token is too old"),
	issued_in_future: invalid("Token is issued in the future"),
	validation_failed: invalid("Token failed validation"),
	revoked: invalid("Token has been revoked"),
	insufficient_scope: {
		type: InsufficientScopeError,
		status: 403,
		code: "insufficient_scope",
		message: "Insufficient permissions for the requested operation",
	},
	discovery_failed: unavailable("Signing keys are temporarily unavailable"),
	discovery_issuer_mismatch: unavailable("Signing keys are temporarily unavailable"),
	jwks_unavailable: unavailable("Signing keys are temporarily unavailable"),
	revocation_check_failed: unavailable("Token revocation status is temporarily unavailable"),
	several_credentials: bad("More than one credential sent"),
	api_key_malformed: invalid("Invalid API key"),
	api_key_unknown: invalid("Invalid API key"),
	api_key_expired: invalid("Invalid API key"),
	token_inactive: invalid("Token is not active"),
	api_key_lookup_failed: unavailable("API key verification is temporarily unavailable"),
	introspection_failed: unavailable("Token introspection is temporarily unavailable"),
	token_dpop_bound: invalid("Token is bound to a DPoP key and must be sent with a DPoP proof"),
	token_not_dpop_bound: invalid("Token is not bound to a DPoP key"),
	token_certificate_bound: invalid("Token is bound to a client certificate"),
	token_not_certificate_bound: invalid("Token is not bound to a client certificate"),
	certificate_missing: invalid("Client certificate required"),
	certificate_mismatch: invalid("Token is bound to another client certificate"),
	dpop_proof_missing: proof("Missing DPoP proof"),
	dpop_proof_duplicated: proof("More than one DPoP proof"),
	dpop_proof_malformed: proof("Malformed DPoP proof"),
	dpop_proof_typ: proof("DPoP proof has an unexpected type"),
	dpop_proof_alg: proof("DPoP proof algorithm is not allowed"),
	dpop_proof_key: proof("DPoP proof key is invalid"),
	dpop_proof_signature: proof("Invalid DPoP proof signature"),
	dpop_proof_htm: proof("DPoP proof is for another method"),
	dpop_proof_htu: proof("DPoP proof is for another URL"),
	dpop_proof_expired: proof("DPoP proof is too old"),
	dpop_proof_future: proof("DPoP proof is issued in the future"),
	dpop_proof_ath: proof("DPoP proof is for another access token"),
	dpop_proof_jkt: proof("DPoP proof key does not match the token binding"),
	dpop_proof_replayed: proof("DPoP proof has already been used"),
	dpop_nonce_required: nonce("DPoP proof must carry the resource server's nonce"),
	dpop_nonce_invalid: nonce("DPoP proof nonce is invalid or expired"),
	replay_check_failed: unavailable("DPoP proof replay check is temporarily unavailable"),
};

/** Asserts that `error` is exactly the refusal for `reason`: class, status, code, reason, message. */
export function expectRefusal<E extends BearerError = BearerError>(error: unknown, reason: ErrorReason): E {
	const expected = EXPECTED[reason];
	expect(error).toBeInstanceOf(expected.type);
	const refusal = error as BearerError;
	expect({
		name: refusal.name,
		status: refusal.status,
		statusCode: refusal.statusCode,
		code: refusal.code,
		reason: refusal.reason,
		message: refusal.message,
	}).toEqual({
		name: expected.type.name,
		status: expected.status,
		statusCode: expected.status,
		code: expected.code,
		reason,
		message: expected.message,
	});
	return error as E;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error("expected a rejection, but the promise resolved");
}

/** The error `fn` throws synchronously (fails the test if it does not throw). */
export function thrownBy(fn: () => unknown): unknown {
	try {
		fn();
	} catch (error) {
		return error;
	}
	throw new Error("expected a throw, but the function returned");
}

/** Awaits `promise`, asserts it was refused for `reason`, and returns the error. */
export async function refusal<E extends BearerError = BearerError>(
	promise: Promise<unknown>,
	reason: ErrorReason,
): Promise<E> {
	return expectRefusal<E>(await rejectionOf(promise), reason);
}

/** 2030-01-01T00:00:00Z, in milliseconds: the frozen "now" of the time-dependent tests. */
export const T0 = Date.UTC(2030, 0, 1);
/** {@link T0} in Unix seconds. */
export const NOW = T0 / 1000;

/** Freezes `Date` (only `Date`: real timers, sockets and fetch keep working) at `at` milliseconds. */
export function freezeClock(at = T0): void {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(at);
}

/** Moves the frozen clock by `seconds`. */
export function advanceClock(seconds: number): void {
	vi.setSystemTime(Date.now() + seconds * 1000);
}

/** Gives `Date` back its real time. */
export function unfreezeClock(): void {
	vi.useRealTimers();
}
