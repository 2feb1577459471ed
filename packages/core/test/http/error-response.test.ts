import { describe, expect, it } from "vitest";
import {
	authorize,
	BearerError,
	createVerifier,
	extractBearerToken,
	InsufficientScopeError,
	InvalidRequestError,
	InvalidTokenError,
	type InvalidTokenReason,
	invalidRequest,
	invalidToken,
	TemporarilyUnavailableError,
	toErrorResponse,
} from "../../src/index.js";
import { EXPECTED, expectRefusal, rejectionOf, thrownBy } from "../support/refusals.js";
import { forge } from "../support/tokens.js";

const JSON_NO_STORE = { "content-type": "application/json", "cache-control": "no-store" } as const;

function permissionsOf(...names: string[]) {
	return {
		token: "t",
		header: { alg: "RS256" as const },
		claims: {},
		subject: undefined,
		issuer: "https://issuer.example",
		organization: undefined,
		permissions: new Set(names),
		expiresAt: undefined,
		scheme: "Bearer" as const,
		source: "jwt" as const,
		confirmation: undefined,
	};
}

describe("toErrorResponse: the responses table, row by row", () => {
	it("no credentials at all: 401 invalid_token with the bare challenge", () => {
		const error = thrownBy(() => extractBearerToken({}));
		expectRefusal(error, "token_missing");
		expect(toErrorResponse(error)).toEqual({
			status: 401,
			headers: { ...JSON_NO_STORE, "www-authenticate": 'Bearer realm="api"' },
			body: '{"error":"invalid_token","message":"Missing bearer token"}',
		});
	});

	it("another scheme counts as no credentials: the same bare 401", () => {
		const error = thrownBy(() => extractBearerToken({ authorization: "Basic dXNlcjpwYXNz" }));
		expect(toErrorResponse(error)).toEqual({
			status: 401,
			headers: { ...JSON_NO_STORE, "www-authenticate": 'Bearer realm="api"' },
			body: '{"error":"invalid_token","message":"Missing bearer token"}',
		});
	});

	it.each<[string, () => unknown, string]>([
		[
			"a malformed Authorization: Bearer value",
			() => extractBearerToken({ authorization: "Bearer two tokens" }),
			"Malformed Authorization header",
		],
		[
			"a duplicated Authorization header",
			() => extractBearerToken({ authorization: ["Bearer a", "Bearer b"] }),
			"Duplicate Authorization header",
		],
		[
			"a token sent by more than one method",
			() => extractBearerToken({ authorization: "Bearer abc" }, { query: { access_token: "abc" } }),
			"Token sent by more than one method",
		],
		[
			"a missing or invalid organization ID",
			() => {
				throw invalidRequest("organization_invalid");
			},
			"Missing or invalid organization ID",
		],
		[
			"an organization that differs from the request's",
			() => {
				throw invalidRequest("organization_mismatch");
			},
			"Missing or invalid organization ID",
		],
	])("%s: 400 invalid_request, the description is the body's message", (_label, fail, message) => {
		const error = thrownBy(fail);
		expect(error).toBeInstanceOf(InvalidRequestError);
		expect(toErrorResponse(error)).toEqual({
			status: 400,
			headers: {
				...JSON_NO_STORE,
				"www-authenticate": `Bearer realm="api", error="invalid_request", error_description="${message}"`,
			},
			body: `{"error":"invalid_request","message":"${message}"}`,
		});
	});

	it.each<InvalidTokenReason>([
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
		"expiry_missing",
		"not_yet_valid",
		"token_too_old",
		"issued_in_future",
		"validation_failed",
		"revoked",
	])("%s: 401 invalid_token with its fixed description", (reason) => {
		const message = EXPECTED[reason].message;
		expect(toErrorResponse(invalidToken(reason))).toEqual({
			status: 401,
			headers: {
				...JSON_NO_STORE,
				"www-authenticate": `Bearer realm="api", error="invalid_token", error_description="${message}"`,
			},
			body: `{"error":"invalid_token","message":"${message}"}`,
		});
	});

	it("expired: 401 with the message exactly 'Token has expired'", () => {
		expect(toErrorResponse(invalidToken("token_expired"))).toEqual({
			status: 401,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate":
					'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
			},
			body: '{"error":"invalid_token","message":"Token has expired"}',
		});
	});

	it("valid token, missing permission: 403 insufficient_scope naming every required permission", () => {
		const error = thrownBy(() => authorize(permissionsOf("read"), { permissions: ["read", "write"] }));
		expect(toErrorResponse(error)).toEqual({
			status: 403,
			headers: {
				...JSON_NO_STORE,
				"www-authenticate":
					'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="read write"',
			},
			body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		});
	});

	it("anyPermission: the 403's scope lists all the acceptable ones", () => {
		const error = thrownBy(() =>
			authorize(permissionsOf("read"), { anyPermission: ["write", "admin", "ROLE_ADMIN"] }),
		);
		expect(toErrorResponse(error).headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write admin ROLE_ADMIN"',
		);
	});

	it.each<["discovery_failed" | "discovery_issuer_mismatch" | "jwks_unavailable", number, string]>([
		["jwks_unavailable", 5, "5"],
		["discovery_failed", 0.2, "1"],
		["discovery_issuer_mismatch", 30, "30"],
	])("keys cannot be had (%s): 503 with Retry-After %s and no challenge", (reason, retryAfter, header) => {
		expect(toErrorResponse(new TemporarilyUnavailableError(reason, retryAfter))).toEqual({
			status: 503,
			headers: { ...JSON_NO_STORE, "retry-after": header },
			body: '{"error":"temporarily_unavailable","message":"Signing keys are temporarily unavailable"}',
		});
	});

	it("a failed revocation check: 503 with its own message", () => {
		expect(toErrorResponse(new TemporarilyUnavailableError("revocation_check_failed", 1))).toEqual({
			status: 503,
			headers: { ...JSON_NO_STORE, "retry-after": "1" },
			body: '{"error":"temporarily_unavailable","message":"Token revocation status is temporarily unavailable"}',
		});
	});
});

describe("toErrorResponse: realm", () => {
	it("quotes a realm holding a double quote and a backslash (RFC 7235 quoted-string)", () => {
		const error = invalidToken("revoked");
		expect(toErrorResponse(error, { realm: 'my "api" \\ v2' }).headers["www-authenticate"]).toBe(
			'Bearer realm="my \\"api\\" \\\\ v2", error="invalid_token", error_description="Token has been revoked"',
		);
		expect(
			toErrorResponse(invalidToken("token_missing"), { realm: 'a"b\\' }).headers["www-authenticate"],
		).toBe('Bearer realm="a\\"b\\\\"');
	});

	it("takes the error's realm, which the verifier sets to its own", async () => {
		const secret = "k".repeat(32);
		const verifier = createVerifier({ issuer: "iss", audience: "aud", secret, realm: 'tenant "a"' });
		const error = await rejectionOf(verifier.verify("not-a-jwt"));
		expect((error as BearerError).realm).toBe('tenant "a"');
		expect(toErrorResponse(error)).toEqual({
			status: 401,
			headers: {
				...JSON_NO_STORE,
				"www-authenticate":
					'Bearer realm="tenant \\"a\\"", error="invalid_token", error_description="Malformed token"',
			},
			body: '{"error":"invalid_token","message":"Malformed token"}',
		});
		// The same verifier's guard sets its realm on the bare 401 too.
		const missing = await rejectionOf(verifier.guard()({ headers: {} }));
		expect(toErrorResponse(missing).headers["www-authenticate"]).toBe('Bearer realm="tenant \\"a\\""');
	});

	it("lets an explicit realm option win over the error's", () => {
		const error = invalidToken("token_missing");
		error.realm = "from-error";
		expect(toErrorResponse(error, { realm: "from-option" }).headers["www-authenticate"]).toBe(
			'Bearer realm="from-option"',
		);
		expect(toErrorResponse(error).headers["www-authenticate"]).toBe('Bearer realm="from-error"');
	});

	it("quotes the scope attribute too", () => {
		const error = new InsufficientScopeError(['a"b', "c\\d"]);
		expect(toErrorResponse(error).headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="a\\"b c\\\\d"',
		);
	});
});

describe("toErrorResponse: anything else", () => {
	it.each([
		["a plain Error", new Error("db password is hunter2")],
		["a TypeError", new TypeError("x is undefined")],
		["a string", "boom"],
		["undefined", undefined],
		["null", null],
		[
			"an object that looks like an error",
			{ status: 401, code: "invalid_token", reason: "revoked", message: "m" },
		],
	])("%s becomes a 500 that says nothing about it", (_label, error) => {
		expect(toErrorResponse(error)).toEqual({
			status: 500,
			headers: JSON_NO_STORE,
			body: '{"error":"server_error","message":"Internal server error"}',
		});
	});

	it("returns frozen answers, equal to the error's own headers", () => {
		const error = new TemporarilyUnavailableError("jwks_unavailable", 3);
		const response = toErrorResponse(error);
		expect(Object.isFrozen(response)).toBe(true);
		expect(Object.isFrozen(response.headers)).toBe(true);
		expect(response.headers).toEqual(error.headers);
		expect(toErrorResponse(new Error("x")).headers).toEqual(JSON_NO_STORE);
	});

	it("answers with each error's own message, even for two errors of the same reason", () => {
		// The constructors are public and take a message; the answer must say what this error says.
		const first = toErrorResponse(new InvalidTokenError("Token has been revoked", "revoked"));
		const second = toErrorResponse(new InvalidTokenError("Session ended by the user", "revoked"));
		expect(first.body).toBe('{"error":"invalid_token","message":"Token has been revoked"}');
		expect(second.body).toBe('{"error":"invalid_token","message":"Session ended by the user"}');
		expect(second.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Session ended by the user"',
		);
	});

	it("answers with each error's own status and code when a custom error shares a reason", () => {
		class TeapotError extends BearerError {
			readonly status = 400 as const;
			readonly code = "invalid_request" as const;
		}
		toErrorResponse(invalidToken("validation_failed"));
		const response = toErrorResponse(new TeapotError("Token failed validation", "validation_failed"));
		expect(response.status).toBe(400);
		expect(response.body).toBe('{"error":"invalid_request","message":"Token failed validation"}');
	});
});

describe("a real verifier's refusals, through toErrorResponse", () => {
	const secret = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
	const verifier = createVerifier({ issuer: "https://as.example", audience: "https://api.example", secret });

	it("an expired token answers exactly the contract's 401", async () => {
		const token = forge(
			{ alg: "HS256", typ: "JWT" },
			{ iss: "https://as.example", aud: "https://api.example", exp: 1000 },
			secret,
		);
		expect(toErrorResponse(await rejectionOf(verifier.verify(token)))).toEqual({
			status: 401,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate":
					'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
			},
			body: '{"error":"invalid_token","message":"Token has expired"}',
		});
	});

	it("a guard's 403 names the route's permissions", async () => {
		const token = forge(
			{ alg: "HS256" },
			{ iss: "https://as.example", aud: "https://api.example", exp: 4e9, scope: "read" },
			secret,
		);
		const guard = verifier.guard({ permissions: ["write"] });
		const error = await rejectionOf(guard({ headers: { authorization: `Bearer ${token}` } }));
		expect(toErrorResponse(error)).toEqual({
			status: 403,
			headers: {
				...JSON_NO_STORE,
				"www-authenticate":
					'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
			},
			body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		});
	});
});
