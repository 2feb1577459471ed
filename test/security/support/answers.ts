/**
 * The exact answers the contract (SPEC.md, "Responses") requires, spelled out as literals so that a
 * changed message or challenge fails the catalog instead of silently following the code.
 */

/** What one request must be answered with. */
export type Answer =
	| {
			readonly kind: "ok";
			readonly status: 200;
			readonly sub: string | null;
			readonly permissions?: readonly string[];
	  }
	| {
			readonly kind: "error";
			readonly status: 400 | 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			readonly challenge: string | undefined;
	  }
	/** Refused by Node's HTTP parser before any middleware ran (not our JSON, never a 500). */
	| { readonly kind: "http"; readonly status: 400 | 431; readonly note: string };

function challenge(error: string, message: string, scope?: string): string {
	const base = `Bearer realm="api", error="${error}", error_description="${message}"`;
	return scope === undefined ? base : `${base}, scope="${scope}"`;
}

/** 401 `invalid_token` with its fixed message and the matching challenge. */
export function unauthorized(message: string): Answer {
	return {
		kind: "error",
		status: 401,
		error: "invalid_token",
		message,
		challenge: challenge("invalid_token", message),
	};
}

/** 400 `invalid_request`. */
export function badRequest(message: string): Answer {
	return {
		kind: "error",
		status: 400,
		error: "invalid_request",
		message,
		challenge: challenge("invalid_request", message),
	};
}

/** 403 `insufficient_scope` naming the required permissions. */
export function forbidden(scope: string): Answer {
	const message = "Insufficient permissions for the requested operation";
	return {
		kind: "error",
		status: 403,
		error: "insufficient_scope",
		message,
		challenge: challenge("insufficient_scope", message, scope),
	};
}

/** 200 through the route, which echoes the subject and the sorted permissions. */
export function ok(permissions?: readonly string[], sub: string | null = "user_123"): Answer {
	return { kind: "ok", status: 200, sub, permissions };
}

/** Refused by the HTTP server itself (header too large, invalid header bytes). */
export function httpRefusal(status: 400 | 431, note: string): Answer {
	return { kind: "http", status, note };
}

/** No credentials at all: the bare challenge. */
export const NO_CREDENTIALS: Answer = {
	kind: "error",
	status: 401,
	error: "invalid_token",
	message: "Missing bearer token",
	challenge: 'Bearer realm="api"',
};

export const MALFORMED = unauthorized("Malformed token");
export const ALG_NOT_ALLOWED = unauthorized("Token algorithm is not allowed");
export const CRIT = unauthorized("Token has unsupported critical header parameters");
export const TYP = unauthorized("Unexpected token type");
export const KID_UNKNOWN = unauthorized("Token signing key is unknown");
export const BAD_SIGNATURE = unauthorized("Invalid token signature");
export const BAD_CLAIM = unauthorized("Token has an invalid claim");
export const WRONG_ISSUER = unauthorized("Unexpected token issuer");
export const WRONG_AUDIENCE = unauthorized("Unexpected token audience");
export const EXPIRED = unauthorized("Token has expired");
export const NO_EXPIRY = unauthorized("Token has no expiry");
export const NOT_YET_VALID = unauthorized("Token is not yet valid");
export const TOO_OLD = unauthorized("Token is too old");
export const ISSUED_IN_FUTURE = unauthorized("Token is issued in the future");
export const TOO_LONG = unauthorized("Token is too long");
export const HEADER_MALFORMED = badRequest("Malformed Authorization header");
export const HEADER_DUPLICATED = badRequest("Duplicate Authorization header");
export const SEVERAL_PLACES = badRequest("Token sent by more than one method");
export const ORGANIZATION = badRequest("Missing or invalid organization ID");

/** A short label of an answer, for test names. */
export function describeAnswer(answer: Answer): string {
	if (answer.kind === "ok") return `200${answer.permissions ? ` [${answer.permissions.join(" ")}]` : ""}`;
	if (answer.kind === "http") return `${answer.status} from the HTTP server (${answer.note})`;
	return `${answer.status} ${answer.error} "${answer.message}"`;
}
