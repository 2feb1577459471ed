import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Real HTTP servers on loopback that fail the way issuers fail in production: closed ports, servers
 * that never answer, garbage, huge bodies, redirect loops. Each one records every request it gets.
 */
export interface FaultyServer {
	/** `http://127.0.0.1:<port>` */
	readonly origin: string;
	/** `{origin}/jwks.json`, any path is answered the same way unless the server routes. */
	readonly url: string;
	/** Every request received, as `METHOD /path`, in order. */
	readonly requests: readonly string[];
	/** Stops listening and destroys every open connection. Idempotent. */
	close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts a loopback server with `handler`; every request is recorded before the handler runs. */
export async function startServer(handler: Handler): Promise<FaultyServer> {
	const requests: string[] = [];
	const server = createServer((req, res) => {
		requests.push(`${req.method} ${req.url}`);
		// A client that gives up mid-body makes writes fail; that is the point of these servers.
		res.on("error", () => undefined);
		req.socket.on("error", () => undefined);
		handler(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;
	let closing: Promise<void> | undefined;
	return {
		origin,
		url: `${origin}/jwks.json`,
		requests,
		close() {
			closing ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closing;
		},
	};
}

/** Answers every request with `body` (a string verbatim, anything else as JSON). */
export function jsonServer(
	body: unknown,
	options: { status?: number; headers?: Record<string, string> } = {},
): Promise<FaultyServer> {
	const text = typeof body === "string" ? body : JSON.stringify(body);
	return startServer((_req, res) => {
		res.writeHead(options.status ?? 200, {
			"content-type": "application/json",
			"content-length": String(Buffer.byteLength(text)),
			...options.headers,
		});
		res.end(text);
	});
}

/** Answers per path; any other path is a 404. */
export function routedServer(
	routes: Record<string, { status?: number; body: unknown } | ((origin: string) => unknown)>,
): Promise<FaultyServer> {
	let origin = "";
	const started = startServer((req, res) => {
		const path = (req.url ?? "/").split("?")[0] as string;
		const route = routes[path];
		if (route === undefined) {
			res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
			return;
		}
		const { status = 200, body } = typeof route === "function" ? { body: route(origin) } : route;
		res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
	});
	return started.then((server) => {
		origin = server.origin;
		return server;
	});
}

/** A server that accepts the connection and the request and never answers. */
export function hangingServer(): Promise<FaultyServer> {
	return startServer(() => undefined);
}

/** A server that sends a 200 and the start of a JSON body, then never finishes it. */
export function hangingBodyServer(): Promise<FaultyServer> {
	return startServer((_req, res) => {
		res.writeHead(200, { "content-type": "application/json" });
		res.write('{"keys":[');
	});
}

/** A 200 whose body is not JSON. */
export function garbageServer(): Promise<FaultyServer> {
	return jsonServer("<html><body>502 Bad Gateway</body></html>\u0000\uffff");
}

/** The size of {@link hugeBodyServer}'s body: 5 MiB. */
export const HUGE_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A 200 with a 5 MiB JSON body, sent in 64 KiB chunks with back-pressure; with `declareLength` the
 * `Content-Length` says so up front, without it the body is chunked.
 */
export function hugeBodyServer(declareLength: boolean): Promise<FaultyServer> {
	const chunk = Buffer.alloc(64 * 1024, 0x20);
	return startServer((_req, res) => {
		res.writeHead(200, {
			"content-type": "application/json",
			...(declareLength ? { "content-length": String(HUGE_BODY_BYTES) } : {}),
		});
		let sent = 0;
		const pump = (): void => {
			while (sent < HUGE_BODY_BYTES && !res.destroyed) {
				sent += chunk.length;
				if (!res.write(chunk)) {
					res.once("drain", pump);
					return;
				}
			}
			if (!res.destroyed) res.end();
		};
		pump();
	});
}

/** A server whose every answer is a `302` to the very URL asked for. */
export function redirectLoopServer(): Promise<FaultyServer> {
	let origin = "";
	return startServer((req, res) => {
		res.writeHead(302, { location: `${origin}${req.url}`, "content-length": "0" }).end();
	}).then((server) => {
		origin = server.origin;
		return server;
	});
}

/** A URL on a loopback port that was just free and is now closed: connections are refused. */
export async function closedPortUrl(path = "/jwks.json"): Promise<string> {
	const server = await startServer(() => undefined);
	await server.close();
	return `${server.origin}${path}`;
}
