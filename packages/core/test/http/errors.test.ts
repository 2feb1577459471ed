import { describe, expect, it } from "vitest";
import {
	type AnyBearerError,
	BearerError,
	createVerifier,
	type ErrorReason,
	InsufficientScopeError,
	InvalidRequestError,
	InvalidTokenError,
	invalidRequest,
	invalidToken,
	MESSAGES,
	TemporarilyUnavailableError,
	toErrorResponse,
} from "../../src/index.js";
import { EXPECTED, expectRefusal, rejectionOf } from "../support/refusals.js";
import { forge } from "../support/tokens.js";

const JSON_NO_STORE = { "content-type": "application/json", "cache-control": "no-store" };

describe("MESSAGES", () => {
	it("has exactly one fixed message per reason, as the contract words them", () => {
		const expected = Object.fromEntries(
			Object.entries(EXPECTED).map(([reason, { message }]) => [reason, message]),
		);
		expect({ ...MESSAGES }).toEqual(expected);
		expect(Object.isFrozen(MESSAGES)).toBe(true);
	});
});

describe("InvalidTokenError", () => {
	it("is a 401 invalid_token with its reason, name, statusCode, expose and default realm", () => {
		const error = invalidToken("token_expired");
		expect(error).toBeInstanceOf(InvalidTokenError);
		expect(error).toBeInstanceOf(BearerError);
		expect(error).toBeInstanceOf(Error);
		expect({
			name: error.name,
			status: error.status,
			statusCode: error.statusCode,
			code: error.code,
			reason: error.reason,
			message: error.message,
			expose: error.expose,
			realm: error.realm,
		}).toEqual({
			name: "InvalidTokenError",
			status: 401,
			statusCode: 401,
			code: "invalid_token",
			reason: "token_expired",
			message: "Token has expired",
			expose: true,
			realm: "api",
		});
		expect(error.headers).toEqual({
			...JSON_NO_STORE,
			"www-authenticate": 'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		});
		expect(String(error)).toBe("InvalidTokenError: Token has expired");
		expect(error.stack?.startsWith("InvalidTokenError: Token has expired\n")).toBe(true);
	});

	it("keeps the cause it was given, and has none otherwise", () => {
		const cause = new Error("jose said no");
		expect(invalidToken("validation_failed", cause).cause).toBe(cause);
		expect(Object.hasOwn(invalidToken("validation_failed"), "cause")).toBe(false);
		const direct = new InvalidTokenError("Token failed validation", "validation_failed", { cause: "why" });
		expect(direct.cause).toBe("why");
	});

	it("answers token_missing with the bare challenge in its headers", () => {
		expect(invalidToken("token_missing").headers).toEqual({
			...JSON_NO_STORE,
			"www-authenticate": 'Bearer realm="api"',
		});
	});
});

describe("InvalidRequestError", () => {
	it("is a 400 invalid_request", () => {
		const cause = new RangeError("bad header");
		const error = invalidRequest("organization_mismatch", cause);
		expect(error).toBeInstanceOf(InvalidRequestError);
		expect({
			name: error.name,
			status: error.status,
			statusCode: error.statusCode,
			code: error.code,
			reason: error.reason,
			message: error.message,
			cause: error.cause,
		}).toEqual({
			name: "InvalidRequestError",
			status: 400,
			statusCode: 400,
			code: "invalid_request",
			reason: "organization_mismatch",
			message: "Missing or invalid organization ID",
			cause,
		});
		expect(error.headers).toEqual({
			...JSON_NO_STORE,
			"www-authenticate":
				'Bearer realm="api", error="invalid_request", error_description="Missing or invalid organization ID"',
		});
	});
});

describe("InsufficientScopeError", () => {
	it("is a 403 insufficient_scope that names the required scope", () => {
		const error = new InsufficientScopeError(["write", "admin"]);
		expect({
			name: error.name,
			status: error.status,
			statusCode: error.statusCode,
			code: error.code,
			reason: error.reason,
			message: error.message,
			scope: error.scope,
		}).toEqual({
			name: "InsufficientScopeError",
			status: 403,
			statusCode: 403,
			code: "insufficient_scope",
			reason: "insufficient_scope",
			message: "Insufficient permissions for the requested operation",
			scope: ["write", "admin"],
		});
		expect(error.headers).toEqual({
			...JSON_NO_STORE,
			"www-authenticate":
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write admin"',
		});
	});

	it("keeps a cause", () => {
		const cause = { missing: "write" };
		expect(new InsufficientScopeError(["write"], { cause }).cause).toBe(cause);
	});
});

describe("TemporarilyUnavailableError", () => {
	it("is a 503 temporarily_unavailable with Retry-After and no challenge", () => {
		const cause = new Error("ECONNREFUSED");
		const error = new TemporarilyUnavailableError("jwks_unavailable", 5, { cause });
		expect({
			name: error.name,
			status: error.status,
			statusCode: error.statusCode,
			code: error.code,
			reason: error.reason,
			message: error.message,
			retryAfter: error.retryAfter,
			cause: error.cause,
		}).toEqual({
			name: "TemporarilyUnavailableError",
			status: 503,
			statusCode: 503,
			code: "temporarily_unavailable",
			reason: "jwks_unavailable",
			message: "Signing keys are temporarily unavailable",
			retryAfter: 5,
			cause,
		});
		expect(error.headers).toEqual({ ...JSON_NO_STORE, "retry-after": "5" });
	});

	it.each([
		[0, 1],
		[-3, 1],
		[0.001, 1],
		[1, 1],
		[2.01, 3],
		[29.5, 30],
		[Number.NEGATIVE_INFINITY, 1],
	])("rounds a retryAfter of %s up to %s whole seconds (at least 1)", (given, sent) => {
		expect(new TemporarilyUnavailableError("discovery_failed", given).retryAfter).toBe(sent);
	});

	it("has its own message for a failed revocation check", () => {
		const error = new TemporarilyUnavailableError("revocation_check_failed", 1);
		expect(error.message).toBe("Token revocation status is temporarily unavailable");
	});
});

describe("switching on code", () => {
	it("narrows the union to each class", () => {
		const errors: AnyBearerError[] = [
			invalidRequest("authorization_malformed"),
			invalidToken("revoked"),
			new InsufficientScopeError(["read"]),
			new TemporarilyUnavailableError("jwks_unavailable", 2),
		];
		const seen = errors.map((error) => {
			switch (error.code) {
				case "invalid_request":
					return `400 ${error.reason}`;
				case "invalid_token":
					return `401 ${error.reason}`;
				case "insufficient_scope":
					return `403 ${error.scope.join(",")}`;
				case "temporarily_unavailable":
					return `503 ${error.retryAfter}`;
				default:
					return "unreachable";
			}
		});
		expect(seen).toEqual(["400 authorization_malformed", "401 revoked", "403 read", "503 2"]);
	});
});

describe("what an error never carries", () => {
	const secret = "s".repeat(48);
	const verifier = createVerifier({ issuer: "https://issuer.example", audience: "api://x", secret });
	const marker = "PII-marker-4f2d9c";

	it.each<[string, () => string, ErrorReason]>([
		[
			"a badly signed token",
			() =>
				forge(
					{ alg: "HS256" },
					{ iss: "https://issuer.example", aud: "api://x", exp: 4e9, sub: marker },
					new TextEncoder().encode("x".repeat(48)),
				),
			"signature_invalid",
		],
		[
			"a token of another issuer",
			() =>
				forge(
					{ alg: "HS256" },
					{ iss: `https://${marker}.example`, aud: "api://x", exp: 4e9 },
					Buffer.from(secret),
				),
			"issuer_mismatch",
		],
		[
			"a token of another audience",
			() =>
				forge(
					{ alg: "HS256" },
					{ iss: "https://issuer.example", aud: marker, exp: 4e9 },
					Buffer.from(secret),
				),
			"audience_mismatch",
		],
		[
			"an expired token",
			() =>
				forge(
					{ alg: "HS256" },
					{ iss: "https://issuer.example", aud: "api://x", exp: 1, sub: marker },
					Buffer.from(secret),
				),
			"token_expired",
		],
		[
			"a token with an unknown algorithm",
			() =>
				forge(
					{ alg: "HS512", kid: marker },
					{ iss: "https://issuer.example", aud: "api://x" },
					Buffer.from(secret),
				),
			"alg_not_allowed",
		],
		["a malformed token", () => `${marker}.${marker}.${marker}`, "token_malformed"],
	])(
		"%s: message, headers, body, String() and JSON hold neither the token nor its claims",
		async (_label, make, reason) => {
			const token = make();
			const error = expectRefusal(await rejectionOf(verifier.verify(token)), reason);
			const response = toErrorResponse(error);
			const shown = [
				error.message,
				String(error),
				JSON.stringify(error),
				JSON.stringify(error.headers),
				response.body,
			];
			shown.push(...Object.values(response.headers));
			for (const text of shown) {
				expect(text).not.toContain(token);
				expect(text).not.toContain(marker);
				expect(text).not.toContain(secret);
			}
			expect(response.body).toBe(
				JSON.stringify({ error: "invalid_token", message: EXPECTED[reason].message }),
			);
		},
	);
});
