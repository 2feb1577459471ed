import type { IncomingMessage } from "node:http";
import type { RequestLike } from "@bearerguard/core";

/**
 * The request as the core reads it. Node keeps only the first of several `Authorization` headers in
 * `headers`, so when `raw.rawHeaders` holds more than one the core is given all of them (and answers
 * 400). The common path allocates nothing: the framework's request itself is the `RequestLike`.
 */
export function toRequestLike(raw: IncomingMessage, request: RequestLike): RequestLike {
	const names = raw.rawHeaders;
	let seen = 0;
	for (let i = 0; i < names.length; i += 2) {
		const name = names[i] as string;
		if (name.length === 13 && name.toLowerCase() === "authorization" && ++seen > 1) {
			return {
				headers: { ...request.headers, authorization: raw.headersDistinct.authorization },
				query: request.query,
				body: request.body,
			};
		}
	}
	return request;
}
