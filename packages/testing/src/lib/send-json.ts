import type { ServerResponse } from "node:http";

/**
 * Ends a response with a body and headers, unless the connection is already gone.
 *
 * @param body - sent verbatim
 * @param headers - every response header, names in lower case, e.g. `content-type`
 * @example
 * ```ts
 * sendRaw(res, 200, "{}", { "content-type": "application/json" });
 * ```
 */
export function sendRaw(
	res: ServerResponse,
	status: number,
	body: string,
	headers: Readonly<Record<string, string>>,
): void {
	if (res.destroyed || res.writableEnded) return;
	res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
	res.end(body);
}

/**
 * Ends a response with a JSON body.
 *
 * @param cacheControl - the `Cache-Control` header; default `'no-store'`
 * @example
 * ```ts
 * sendJson(res, 404, { error: "not_found" });
 * ```
 */
export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	cacheControl = "no-store",
): void {
	sendRaw(res, status, JSON.stringify(body), {
		"content-type": "application/json",
		"cache-control": cacheControl,
	});
}
