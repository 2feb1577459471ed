/**
 * Where a request presents an API key: the configured header (`x-api-key` by default) and, only when
 * configured, a query parameter. One credential per request: a key beside a bearer token, two key
 * header lines, or a key in the header and the query is the 400 `several_credentials`.
 */
import type { ResolvedApiKeys } from "../config/api-keys.js";
import { BearerError, invalidRequest, invalidToken } from "../http/errors.js";
import { headerCount, type RequestReader } from "../http/request.js";

/** A credential as found in a request (the shape of `schemes/credentials.ts`'s `Credential`). */
interface FoundCredential {
	readonly scheme: "Bearer" | "DPoP" | "ApiKey";
	readonly value: string;
	readonly fromHeader: boolean;
}

/**
 * Marks an error as the answer to a request that presented an API key: its `scheme` is `ApiKey`, and
 * it carries the deprecation headers, if any (every answer to a key request has them). Returns it.
 *
 * @example
 * ```ts
 * throw stampApiKeyAnswer(invalidToken('api_key_unknown'), keys.answerHeaders)
 * ```
 */
export function stampApiKeyAnswer(
	error: unknown,
	answerHeaders: Readonly<Record<string, string>> | undefined,
): unknown {
	if (!(error instanceof BearerError)) return error;
	error.scheme = "ApiKey";
	if (answerHeaders !== undefined) error.answerHeaders = { ...error.answerHeaders, ...answerHeaders };
	return error;
}

function several(keys: ResolvedApiKeys): never {
	throw stampApiKeyAnswer(invalidRequest("several_credentials"), keys.answerHeaders);
}

/** The key in the query parameter, when one is configured and the request has it. */
function fromQuery<R>(request: R, reader: RequestReader<R>, keys: ResolvedApiKeys): string | undefined {
	const name = keys.query;
	if (name === undefined) return undefined;
	const query = reader.query?.(request);
	if (typeof query !== "object" || query === null || !Object.hasOwn(query, name)) return undefined;
	const value: unknown = (query as Record<string, unknown>)[name];
	if (value === undefined || value === "") return undefined;
	if (Array.isArray(value)) return several(keys);
	if (typeof value !== "string")
		throw stampApiKeyAnswer(invalidToken("api_key_malformed"), keys.answerHeaders);
	return value;
}

/**
 * The API key a request presents, or `undefined` for none (an empty header counts as none, as an empty
 * `Authorization` does). Two header lines, or a key in both the header and the query, throw the 400.
 *
 * @example
 * ```ts
 * readApiKey(req, reader, options.apiKeys) // 'bgk_...' or undefined
 * ```
 */
export function readApiKey<R>(
	request: R,
	reader: RequestReader<R>,
	keys: ResolvedApiKeys,
): string | undefined {
	const value = reader.headers(request)[keys.header];
	let key: string | undefined;
	if (value !== undefined) {
		if (typeof value !== "string" || headerCount(request, reader, keys.header) === 2) several(keys);
		if (value !== "") key = value;
	}
	const queried = fromQuery(request, reader, keys);
	if (queried === undefined) return key;
	if (key !== undefined) several(keys);
	return queried;
}

/**
 * The request's credential once API keys are read too: the key when it is the only credential, the
 * token (or `undefined`) when there is no key, and the 400 `several_credentials` for both.
 *
 * @example
 * ```ts
 * withApiKey(readToken(req, reader, options), req, reader, options.apiKeys)
 * ```
 */
export function withApiKey<R, C extends FoundCredential>(
	token: C | undefined,
	request: R,
	reader: RequestReader<R>,
	keys: ResolvedApiKeys,
): C | FoundCredential | undefined {
	const key = readApiKey(request, reader, keys);
	if (key === undefined) return token;
	if (token !== undefined) several(keys);
	return { scheme: "ApiKey", value: key, fromHeader: false };
}
