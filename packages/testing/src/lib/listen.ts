import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A Node.js HTTP request listener. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A listening HTTP server. */
export interface Listening {
	/** The port actually bound (useful when 0 was asked for). */
	readonly port: number;
	/** Sets the handler of every later request; until then requests get a bare 503. */
	serve(handler: RequestHandler): void;
	/** Stops listening and destroys every open connection, keep-alive ones included. Idempotent. */
	close(): Promise<void>;
}

/**
 * Starts an HTTP server on `host:port` (port 0 picks a free one); the handler is set later,
 * once the caller knows the port.
 *
 * @throws the listen error, e.g. `EADDRINUSE`
 * @example
 * ```ts
 * const server = await listen("127.0.0.1", 0);
 * server.serve((req, res) => res.end(String(server.port)));
 * ```
 */
export async function listen(host: string, port: number): Promise<Listening> {
	let handler: RequestHandler | undefined;
	const server = createServer((req, res) => {
		if (handler) return handler(req, res);
		res.writeHead(503).end();
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, () => {
			server.off("error", reject);
			resolve();
		});
	});
	const address = server.address();
	if (address === null || typeof address === "string")
		throw new Error("The test issuer did not bind a TCP port.");
	let closing: Promise<void> | undefined;
	return {
		port: address.port,
		serve(next) {
			handler = next;
		},
		close() {
			closing ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closing;
		},
	};
}
