import https from "node:https";
import type { TestApp } from "./apps.js";
import type { HttpAnswer, HttpRequest } from "./http.js";

/**
 * The client side of a TLS connection: the CA it trusts the server by, and the client certificate it
 * presents (RFC 8705), if any.
 */
export interface ClientTls {
	/** PEM of the CA that signed the server's certificate. */
	readonly ca: string;
	/** The client certificate (PEM), sent when the server requests one. */
	readonly cert?: string;
	/** The client certificate's private key (PEM). */
	readonly key?: string;
	/** A keep-alive agent to send on (a connection reused across requests); default: a new connection. */
	readonly agent?: https.Agent;
}

/**
 * Sends `req` to `app` (an HTTPS app) with `node:https`, presenting `tls.cert` as the client certificate,
 * and keeps what the contract pins down (as {@link send} does). Rejects when the TLS handshake fails.
 *
 * @example
 * ```ts
 * const answer = await sendTls(app, { method: 'GET', path: '/m' }, { ca: ca.cert, cert: client.cert, key: client.key })
 * ```
 */
export function sendTls(app: TestApp, req: HttpRequest, tls: ClientTls): Promise<HttpAnswer> {
	const headers: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(req.headers ?? {})) {
		headers[name] = typeof value === "string" ? value : [...value];
	}
	return new Promise((resolve, reject) => {
		const request = https.request(
			new URL(req.path, app.url),
			{
				method: req.method,
				headers,
				ca: tls.ca,
				...(tls.cert !== undefined && { cert: tls.cert, key: tls.key }),
				agent: tls.agent ?? false,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on("data", (chunk: Buffer) => chunks.push(chunk));
				res.on("error", reject);
				res.on("end", () => {
					const header = (name: string): string | undefined => {
						const value = res.headers[name];
						return typeof value === "string" ? value : undefined;
					};
					resolve({
						status: res.statusCode ?? 0,
						headers: {
							"www-authenticate": header("www-authenticate"),
							"content-type": header("content-type"),
							"cache-control": header("cache-control"),
							"retry-after": header("retry-after"),
						},
						body: Buffer.concat(chunks).toString("utf8"),
					});
				});
			},
		);
		request.on("error", reject);
		request.end();
	});
}
