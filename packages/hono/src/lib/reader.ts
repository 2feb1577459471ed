import type { HeadersLike, RequestReader } from "@bearerguard/core";
import type { Context } from "hono";

/** Node's request, which `@hono/node-server` hands over as `c.env.incoming` (HTTP/1.1 and HTTP/2). */
interface NodeBindings {
	readonly incoming?: {
		/** The request target as received: origin-form (`/path?query`), or absolute-form (`http://host/path`). */
		readonly url?: string;
		readonly headers: HeadersLike;
		readonly rawHeaders: readonly string[];
		readonly socket: unknown;
	};
}

const incoming = (c: Context) => (c.env as NodeBindings | undefined)?.incoming;

/** Form bodies parsed for `allowBodyToken` (the reader is synchronous; parsing is not). */
const bodies = new WeakMap<Context, unknown>();

/** Keeps a request's parsed form body for the reader. */
export function keepBody(c: Context, body: unknown): void {
	bodies.set(c, body);
}

/** A web `Headers` as Node's lower-case record, when no Node request is at hand (`app.request()`, other runtimes). */
function record(headers: Headers): HeadersLike {
	const result: Record<string, string> = {};
	headers.forEach((value, name) => {
		result[name] = value;
	});
	return result;
}

/** A parsed query as Express's: one value as a string, several as an array. */
function query(c: Context): Record<string, string | string[]> {
	const result: Record<string, string | string[]> = {};
	for (const [name, values] of Object.entries(c.req.queries())) {
		result[name] = values.length === 1 ? (values[0] as string) : values;
	}
	return result;
}

/**
 * How the core reads a Hono request: Node's headers and raw header lines through `@hono/node-server`
 * (so a duplicated header is seen twice), else the web `Headers`, where duplicates arrive joined by ", ".
 * The URL is Hono's `c.req.url`: Hono has no trust-proxy setting, and `@hono/node-server` builds it from
 * the `Host` header and whether the connection itself is TLS. The socket is Node's, when there is one.
 */
export const honoReader: RequestReader<Context> = Object.freeze({
	headers: (c: Context) => incoming(c)?.headers ?? record(c.req.raw.headers),
	rawHeaders: (c: Context) => incoming(c)?.rawHeaders,
	method: (c: Context) => c.req.method,
	// An absolute-form request target (`GET https://other.example/v1 HTTP/1.1`) becomes `c.req.url` as sent, host
	// and scheme included, so a DPoP proof made for another server would match it: such a request gets a
	// URL no proof matches (`dpop_proof_htu`). Origin-form targets, what clients send, keep Hono's URL.
	url: (c: Context) => {
		const target = incoming(c)?.url;
		return target === undefined || target.startsWith("/") ? c.req.url : "";
	},
	socket: (c: Context) => incoming(c)?.socket,
	query,
	body: (c: Context) => bodies.get(c),
});
