/**
 * Expected answers of sender-constrained (DPoP, mTLS) cases, shared by the mTLS and introspection
 * binding tests: the exact status, `WWW-Authenticate`, body, identical on every adapter.
 */
import { expect } from "vitest";
import type { TestApp } from "./apps.js";
import type { HttpAnswer } from "./http.js";

/** The `algs` of the DPoP challenge with the default `dpop.algorithms`. */
export const ALGS = "ES256 Ed25519 EdDSA PS256 RS256";

/** The fixed messages of the binding refusals (core's MESSAGES). */
export const MESSAGE = {
	certificate_mismatch: "Token is bound to another client certificate",
	certificate_missing: "Client certificate required",
	token_certificate_bound: "Token is bound to a client certificate",
	token_not_certificate_bound: "Token is not bound to a client certificate",
	token_dpop_bound: "Token is bound to a DPoP key and must be sent with a DPoP proof",
	token_not_dpop_bound: "Token is not bound to a DPoP key",
	dpop_proof_missing: "Missing DPoP proof",
	dpop_proof_jkt: "DPoP proof key does not match the token binding",
	dpop_proof_replayed: "DPoP proof has already been used",
	replay_check_failed: "DPoP proof replay check is temporarily unavailable",
} as const;

/** What one request expects: a refusal with its exact challenge, or 200 with the exact `describeBinding`. */
export type BindingExpected =
	| {
			readonly status: 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			readonly challenge: string;
			readonly retryAfter?: string;
	  }
	| { readonly status: 200; readonly auth: Record<string, unknown> };

/** 401 `invalid_token` for `reason`, answered with the Bearer (or, for a DPoP request, the DPoP) challenge. */
export function refused(reason: keyof typeof MESSAGE, scheme: "Bearer" | "DPoP" = "Bearer"): BindingExpected {
	const error = reason.startsWith("dpop_proof") ? "invalid_dpop_proof" : "invalid_token";
	const message = MESSAGE[reason];
	const challenge =
		scheme === "Bearer"
			? `Bearer realm="api", error="${error}", error_description="${message}"`
			: `DPoP realm="api", error="${error}", error_description="${message}", algs="${ALGS}"`;
	return { status: 401, error, message, challenge };
}

/** 200, `describeBinding` of a token for `user_123` (or `subject`). */
export function accepted(
	scheme: "Bearer" | "DPoP",
	source: "jwt" | "introspection",
	confirmation: Record<string, string> | null,
	subject = "user_123",
): BindingExpected {
	return { status: 200, auth: { subject, scheme, source, confirmation } };
}

/** Checks an answer exactly: status, content type, cache control, challenge, Retry-After and body. */
export function checkBinding(app: TestApp, answer: HttpAnswer, expected: BindingExpected): void {
	const where = `${app.name}: ${answer.status} ${answer.body}`;
	expect(answer.status, where).toBe(expected.status);
	if (expected.status === 200) {
		expect(answer.headers["content-type"], where).toBe("application/json; charset=utf-8");
		expect(answer.headers["www-authenticate"], where).toBeUndefined();
		expect(JSON.parse(answer.body), where).toEqual({ auth: expected.auth });
		return;
	}
	expect(answer.headers["content-type"], where).toBe("application/json");
	expect(answer.headers["cache-control"], where).toBe("no-store");
	expect(answer.headers["www-authenticate"], where).toBe(expected.challenge);
	expect(answer.headers["retry-after"], where).toBe(expected.retryAfter);
	expect(answer.body, where).toBe(JSON.stringify({ error: expected.error, message: expected.message }));
}

/** Every adapter answered the same bytes (status, the pinned headers, body). */
export function expectSameEverywhere(answers: readonly HttpAnswer[]): void {
	const [first, ...rest] = answers;
	for (const answer of rest) expect(answer).toEqual(first);
}
