/**
 * Finds the one credential a request presents, and how: the `Authorization` header (RFC 6750 §2.1),
 * and, when enabled, the `access_token` query parameter (§2.3) or form field (§2.2), or an API key
 * (`apiKeys`). Two methods at once are a 400; none is `undefined` (the caller decides between the bare
 * 401 and going on without `auth`).
 */
import type { ResolvedOptions } from "../config/options.js";
import type { CredentialScheme } from "../http/challenge.js";
import { invalidRequest } from "../http/errors.js";
import { headerCount, type RequestReader } from "../http/request.js";
import { withApiKey } from "./api-key-source.js";
import { bearerCandidate, dpopCandidate, extractBearerToken } from "./bearer.js";

/** A credential as the request presented it, not yet verified. */
export interface Credential {
	/** How it was presented. */
	readonly scheme: CredentialScheme;
	/** The token (or key) itself. */
	readonly value: string;
	/**
	 * Whether the value was only split off `Authorization` (its token68 grammar not yet checked, which the
	 * verifier does for tokens it has not cached).
	 */
	readonly fromHeader: boolean;
}

/** A bearer token from the header, found on the common path; the object is reused, never kept. */
interface MutableCredential {
	scheme: CredentialScheme;
	value: string;
	fromHeader: boolean;
}

/**
 * Reads the request's credential. The common case (one `Authorization: Bearer` header, no other source
 * enabled) reads the headers once and returns a fresh small object.
 */
export function readCredential<R>(
	request: R,
	reader: RequestReader<R>,
	options: ResolvedOptions,
): Credential | undefined {
	const token = readToken(request, reader, options);
	return options.apiKeys === undefined ? token : withApiKey(token, request, reader, options.apiKeys);
}

/** The token of the `Authorization` header (or of the query or body, when enabled). */
function readToken<R>(
	request: R,
	reader: RequestReader<R>,
	options: ResolvedOptions,
): Credential | undefined {
	const headers = reader.headers(request);
	if (headers.authorization !== undefined && headerCount(request, reader, "authorization") === 2) {
		throw invalidRequest("authorization_duplicated");
	}
	if (options.dpop !== undefined) {
		const token = dpopCandidate(headers);
		if (token !== undefined) return credential("DPoP", token, true);
		// `required`: a bearer token is another scheme, answered as no credentials (the DPoP challenge).
		if (options.dpop.required) return undefined;
	}
	if (options.allowQueryToken || options.allowBodyToken) {
		let token: string;
		try {
			token = extractBearerToken(headers, {
				query: options.allowQueryToken ? reader.query?.(request) : undefined,
				body: options.allowBodyToken ? reader.body?.(request) : undefined,
			});
		} catch (error) {
			if ((error as { reason?: string }).reason === "token_missing") return undefined;
			throw error;
		}
		return credential("Bearer", token, false);
	}
	const token = bearerCandidate(headers);
	return token === undefined ? undefined : credential("Bearer", token, true);
}

function credential(scheme: CredentialScheme, value: string, fromHeader: boolean): MutableCredential {
	return { scheme, value, fromHeader };
}
