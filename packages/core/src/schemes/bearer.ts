import { invalidRequest, invalidToken } from "../http/errors.js";
import type { HeadersLike } from "../types.js";

/** Where else a token may come from, besides the `Authorization` header (RFC 6750 §2.2, §2.3). */
export interface ExtractOptions {
	/** The parsed query string, read when given (RFC 6750 §2.3 `access_token`). */
	query?: unknown;
	/** The parsed body, read when given and the request is form-encoded (RFC 6750 §2.2). */
	body?: unknown;
}

/** The scheme word alone: `Bearer` with nothing usable after it. */
const BEARER_SCHEME = /^bearer(?:[ \t,]|$)/i;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * `Bearer` in any case and one or more spaces (RFC 6750 §2.1, RFC 7235 §2.1), matched at the start only,
 * so the cost does not grow with the token.
 */
const BEARER_PREFIX = /^bearer +/i;

/** Whether a value is one RFC 7235 token68. */
export function isToken68(value: string): boolean {
	return TOKEN68.test(value);
}

/**
 * The hot-path half of {@link extractBearerToken}: what follows `Bearer` and its spaces, without the
 * token68 check, which the verifier runs only for tokens it has not cached. `undefined` means no
 * credentials; a duplicated header or a `Bearer` without a token throws the 400.
 */
export function bearerCandidate(headers: HeadersLike): string | undefined {
	const value = single(headers.authorization);
	if (value === undefined || value === "") return undefined;
	// Nearly every client writes exactly `Bearer ` and the token: that is recognised without a regex.
	if (value.startsWith("Bearer ") && value.length > 7 && value.charCodeAt(7) !== 0x20) return value.slice(7);
	const prefix = BEARER_PREFIX.exec(value);
	if (prefix !== null && prefix[0].length < value.length) return value.slice(prefix[0].length);
	if (BEARER_SCHEME.test(value)) throw invalidRequest("authorization_malformed");
	return undefined;
}

/** `DPoP` in any case and one or more spaces (RFC 9449 §7.1). */
const DPOP_PREFIX = /^dpop +/i;
const DPOP_SCHEME = /^dpop(?:[ \t,]|$)/i;

/**
 * What follows `DPoP` and its spaces in `Authorization` (RFC 9449 §7.1), the token68 grammar not yet
 * checked; `undefined` for another scheme. `DPoP` without a token is the 400.
 */
export function dpopCandidate(headers: HeadersLike): string | undefined {
	const value = single(headers.authorization);
	if (value === undefined || value.length < 4) return undefined;
	const prefix = DPOP_PREFIX.exec(value);
	if (prefix !== null && prefix[0].length < value.length) return value.slice(prefix[0].length);
	if (DPOP_SCHEME.test(value)) {
		// A DPoP request all the same: answered with the DPoP challenge, as every failure of one is.
		const error = invalidRequest("authorization_malformed");
		error.scheme = "DPoP";
		throw error;
	}
	return undefined;
}

function single(value: string | readonly string[] | undefined): string | undefined {
	if (value === undefined || typeof value === "string") return value;
	if (value.length > 1) throw invalidRequest("authorization_duplicated");
	return value[0];
}

function fromHeader(headers: HeadersLike): string | undefined {
	const token = bearerCandidate(headers);
	// `Bearer` followed by something that is not one token68 is malformed.
	if (token !== undefined && !isToken68(token)) throw invalidRequest("authorization_malformed");
	return token;
}

function fromParameter(container: unknown): string | undefined {
	if (typeof container !== "object" || container === null) return undefined;
	const value: unknown = (container as Record<string, unknown>).access_token;
	if (value === undefined) return undefined;
	if (typeof value !== "string" || !TOKEN68.test(value)) throw invalidRequest("authorization_malformed");
	return value;
}

function isForm(headers: HeadersLike): boolean {
	const type = single(headers["content-type"]);
	return type?.toLowerCase().startsWith("application/x-www-form-urlencoded") === true;
}

/**
 * Reads the bearer token of a request: from `Authorization: Bearer <token68>` (scheme in any case), and,
 * when given, from the `access_token` query parameter or form-body field. Throws the 400
 * `invalid_request` for a malformed or duplicated header or a token sent by more than one method, and
 * the bare 401 (reason `token_missing`) when there are no credentials at all (another scheme such as
 * `Basic` counts as none).
 *
 * @example
 * ```ts
 * const token = extractBearerToken(req.headers) // 'eyJhbGciOi...'
 * ```
 */
export function extractBearerToken(headers: HeadersLike, options?: ExtractOptions): string {
	const header = fromHeader(headers);
	if (options === undefined) {
		if (header === undefined) throw invalidToken("token_missing");
		return header;
	}
	let found = header;
	for (const token of [
		fromParameter(options.query),
		isForm(headers) ? fromParameter(options.body) : undefined,
	]) {
		if (token === undefined) continue;
		if (found !== undefined) throw invalidRequest("token_in_several_places");
		found = token;
	}
	if (found === undefined) throw invalidToken("token_missing");
	return found;
}
