/**
 * How the core reads a framework's request. An adapter defines one {@link RequestReader} for its
 * framework, once; the core calls only what a request needs, so the common path (a bearer token in
 * `Authorization`) reads the headers and nothing else, and allocates nothing.
 */
import type { HeadersLike, RequestLike } from "../types.js";

/**
 * Reads one framework's request (Express `req`, Koa `ctx`, Fastify `request`, ...) for the core.
 * Only `headers` is required; a feature that needs more (DPoP: `method` and `url`; mTLS: `socket`)
 * says so when the verifier is created with it.
 *
 * @example
 * ```ts
 * const reader: RequestReader<IncomingMessage> = {
 *   headers: (req) => req.headers,
 *   rawHeaders: (req) => req.rawHeaders,
 *   method: (req) => req.method ?? 'GET',
 *   url: (req) => `http://${req.headers.host}${req.url}`,
 * }
 * ```
 */
export interface RequestReader<R> {
	/** The request headers, lower-case names (Node's `req.headers`). */
	headers(request: R): HeadersLike;
	/**
	 * Header names and values, alternating, as received (Node's `req.rawHeaders`, on HTTP/1.1 and
	 * HTTP/2 alike), so a header sent twice is seen twice. Without it, `headers` is all there is.
	 */
	rawHeaders?(request: R): readonly string[] | undefined;
	/** The request method, upper case. */
	method?(request: R): string;
	/**
	 * The request's absolute URL (scheme, host, path and query) as the framework sees it under its own
	 * trust-proxy setting: what a DPoP proof's `htu` must equal.
	 */
	url?(request: R): string;
	/** The parsed query string, read only when a credential may come from it. */
	query?(request: R): unknown;
	/** The parsed body, read only when a credential may come from it. */
	body?(request: R): unknown;
	/** The connection (a `tls.TLSSocket` for HTTPS), for the client certificate of mTLS. */
	socket?(request: R): unknown;
}

/** The reader of a plain {@link RequestLike}: `{ headers, query?, body?, method?, url?, socket? }`. */
export const plainReader: RequestReader<RequestLike> = Object.freeze({
	headers: (request: RequestLike) => request.headers,
	query: (request: RequestLike) => request.query,
	body: (request: RequestLike) => request.body,
	method: (request: RequestLike) => request.method ?? "",
	url: (request: RequestLike) => request.url ?? "",
	socket: (request: RequestLike) => request.socket,
});

/**
 * Every value of the header `name` (lower case), in order: from `rawHeaders` when the reader has them
 * (so a duplicated header is seen even where Node keeps only the first), else from `headers`.
 *
 * @example
 * ```ts
 * headerValues(req, reader, 'authorization') // ['Bearer a', 'Bearer b'] for two lines
 * ```
 */
export function headerValues<R>(request: R, reader: RequestReader<R>, name: string): readonly string[] {
	const raw = reader.rawHeaders?.(request);
	if (raw !== undefined) {
		const values: string[] = [];
		for (let i = 0; i < raw.length; i += 2) {
			const key = raw[i] as string;
			if (key.length === name.length && key.toLowerCase() === name) values.push(raw[i + 1] as string);
		}
		return values;
	}
	const value = reader.headers(request)[name];
	if (value === undefined) return [];
	return typeof value === "string" ? [value] : value;
}

/**
 * How many lines of the header `name` (lower case) a request has: 0, 1 or 2 (two or more). Scans
 * `rawHeaders` without allocating; without them, counts what `headers` holds.
 */
export function headerCount<R>(request: R, reader: RequestReader<R>, name: string): 0 | 1 | 2 {
	const raw = reader.rawHeaders?.(request);
	if (raw === undefined) {
		const value = reader.headers(request)[name];
		if (value === undefined) return 0;
		return typeof value === "string" || value.length === 1 ? 1 : value.length === 0 ? 0 : 2;
	}
	let seen: 0 | 1 | 2 = 0;
	for (let i = 0; i < raw.length; i += 2) {
		const key = raw[i] as string;
		if (key.length === name.length && key.toLowerCase() === name) {
			if (seen === 1) return 2;
			seen = 1;
		}
	}
	return seen;
}
