import request from "supertest";
import type { TestApp } from "./apps.js";

/** A request of the HTTP table. Header values given as a list are sent as that many header lines. */
export interface HttpRequest {
	readonly method: "GET" | "POST" | "DELETE";
	/** Path and query string. */
	readonly path: string;
	readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** What the contract pins down of an answer: status, the four headers, and the body's bytes. */
export interface HttpAnswer {
	readonly status: number;
	readonly headers: {
		readonly "www-authenticate": string | undefined;
		readonly "content-type": string | undefined;
		readonly "cache-control": string | undefined;
		readonly "retry-after": string | undefined;
	};
	readonly body: string;
}

/**
 * Sends `req` to `app` with supertest and keeps what the contract pins down.
 *
 * @example
 * ```ts
 * const { status, headers, body } = await send(app, { method: 'GET', path: '/v1/products' })
 * ```
 */
export async function send(app: TestApp, req: HttpRequest): Promise<HttpAnswer> {
	const agent = request(app.url);
	const test =
		req.method === "GET"
			? agent.get(req.path)
			: req.method === "POST"
				? agent.post(req.path)
				: agent.delete(req.path);
	const headers: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(req.headers ?? {})) {
		headers[name] = typeof value === "string" ? value : [...value];
	}
	const res = await test.set(headers).buffer(true);
	const header = (name: string): string | undefined => {
		const value: unknown = res.headers[name];
		return typeof value === "string" ? value : undefined;
	};
	return {
		status: res.status,
		headers: {
			"www-authenticate": header("www-authenticate"),
			"content-type": header("content-type"),
			"cache-control": header("cache-control"),
			"retry-after": header("retry-after"),
		},
		body: res.text,
	};
}
