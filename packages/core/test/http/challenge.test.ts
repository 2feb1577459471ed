import { describe, expect, it } from "vitest";
import { buildChallenge, type ChallengeSubject } from "../../src/http/challenge.js";
import { invalidToken, toErrorResponse } from "../../src/index.js";

const missing: ChallengeSubject = {
	status: 401,
	code: "invalid_token",
	reason: "token_missing",
	message: "Missing bearer token",
};
const expired: ChallengeSubject = {
	status: 401,
	code: "invalid_token",
	reason: "token_expired",
	message: "Token has expired",
};
const forbidden: ChallengeSubject = {
	status: 403,
	code: "insufficient_scope",
	reason: "insufficient_scope",
	message: "Insufficient permissions for the requested operation",
	scope: ["write"],
};
const dpop = { algs: "ES256 EdDSA", required: false };

describe("buildChallenge", () => {
	it("is the plain Bearer challenge without DPoP or resource metadata", () => {
		expect(buildChallenge(missing, { realm: "api" })).toBe('Bearer realm="api"');
		expect(buildChallenge(expired, { realm: "api" })).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		);
		expect(buildChallenge({ ...expired, status: 503 }, { realm: "api" })).toBeUndefined();
	});

	it("offers both schemes to a request without credentials when DPoP is allowed", () => {
		expect(buildChallenge(missing, { realm: "api", dpop })).toBe(
			'Bearer realm="api", DPoP realm="api", algs="ES256 EdDSA"',
		);
	});

	it("answers a Bearer request with Bearer and a DPoP request with DPoP (algs on every DPoP challenge)", () => {
		expect(buildChallenge({ ...expired, scheme: "Bearer" }, { realm: "api", dpop })).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		);
		expect(buildChallenge({ ...expired, scheme: "DPoP" }, { realm: "api", dpop })).toBe(
			'DPoP realm="api", error="invalid_token", error_description="Token has expired", algs="ES256 EdDSA"',
		);
		expect(buildChallenge({ ...forbidden, scheme: "DPoP" }, { realm: "api", dpop })).toBe(
			'DPoP realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write", algs="ES256 EdDSA"',
		);
	});

	it("offers only DPoP when it is required, whatever the request sent", () => {
		const required = { realm: "api", dpop: { ...dpop, required: true } };
		expect(buildChallenge(missing, required)).toBe('DPoP realm="api", algs="ES256 EdDSA"');
		expect(buildChallenge({ ...expired, scheme: "Bearer" }, required)).toBe(
			'DPoP realm="api", error="invalid_token", error_description="Token has expired", algs="ES256 EdDSA"',
		);
	});

	it("names the resource metadata in every 401 challenge, and only in 401s", () => {
		const settings = {
			realm: "api",
			dpop,
			resourceMetadata: "https://api.example/.well-known/oauth-protected-resource",
		};
		expect(buildChallenge(missing, settings)).toBe(
			'Bearer realm="api", resource_metadata="https://api.example/.well-known/oauth-protected-resource", DPoP realm="api", algs="ES256 EdDSA", resource_metadata="https://api.example/.well-known/oauth-protected-resource"',
		);
		expect(buildChallenge(forbidden, settings)).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
		);
	});
});

describe("toErrorResponse with challenge settings", () => {
	it("builds the answer from the error's settings and keeps its extra headers", () => {
		const error = invalidToken("token_expired");
		error.challengeSettings = { realm: "shop", dpop };
		error.scheme = "DPoP";
		error.answerHeaders = { "dpop-nonce": "n1" };
		expect(toErrorResponse(error)).toEqual({
			status: 401,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate":
					'DPoP realm="shop", error="invalid_token", error_description="Token has expired", algs="ES256 EdDSA"',
				"dpop-nonce": "n1",
			},
			body: '{"error":"invalid_token","message":"Token has expired"}',
		});
		// Two errors differing only in their extra headers never share a cached answer.
		const other = invalidToken("token_expired");
		other.challengeSettings = error.challengeSettings;
		other.scheme = "DPoP";
		other.answerHeaders = { "dpop-nonce": "n2" };
		expect(toErrorResponse(other).headers["dpop-nonce"]).toBe("n2");
		expect(error.headers["www-authenticate"]).toBe(toErrorResponse(error).headers["www-authenticate"]);
	});
});
