import { connect } from "node:net";
import request from "supertest";

/** One request of the catalog: the route, the `Authorization` value(s), extra headers, a query string. */
export interface AttackRequest {
	readonly path: string;
	/** One value, or several `Authorization` header lines (sent over a raw socket). */
	readonly authorization?: string | readonly string[];
	readonly headers?: Readonly<Record<string, string>>;
	/** Query string without `?`. */
	readonly query?: string;
	/** Write the request bytes on a socket ourselves: for values no HTTP client will send. */
	readonly raw?: boolean;
}

/** What came back; `reset` when the server closed the connection without an answer. */
export interface Reply {
	readonly status: number;
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string;
	readonly reset?: boolean;
}

/** Sends over a raw socket: the header bytes are written exactly as given (latin1). */
export function sendRaw(port: number, req: AttackRequest, timeoutMs = 10_000): Promise<Reply> {
	const target = req.query === undefined ? req.path : `${req.path}?${req.query}`;
	const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
	const values = req.authorization === undefined ? [] : [req.authorization].flat();
	for (const value of values) lines.push(`Authorization: ${value}`);
	for (const [name, value] of Object.entries(req.headers ?? {})) lines.push(`${name}: ${value}`);
	const bytes = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		const socket = connect(port, "127.0.0.1");
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error(`no answer within ${timeoutMs} ms`));
		}, timeoutMs);
		const finish = () => {
			clearTimeout(timer);
			resolve(parseResponse(Buffer.concat(chunks)));
		};
		socket.on("data", (chunk: Buffer) => chunks.push(chunk));
		socket.on("end", finish);
		// A server that refuses a huge header may close while we still write: what it sent first counts.
		socket.on("error", finish);
		socket.write(bytes, () => socket.end());
	});
}

function parseResponse(bytes: Buffer): Reply {
	const text = bytes.toString("latin1");
	const split = text.indexOf("\r\n\r\n");
	if (text.length === 0 || split < 0) return { status: 0, headers: {}, body: "", reset: true };
	const [statusLine = "", ...headerLines] = text.slice(0, split).split("\r\n");
	const headers: Record<string, string> = {};
	for (const line of headerLines) {
		const colon = line.indexOf(":");
		headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
	}
	let body = text.slice(split + 4);
	if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
	return { status: Number(statusLine.split(" ")[1]), headers, body };
}

function unchunk(text: string): string {
	let out = "";
	let rest = text;
	for (;;) {
		const end = rest.indexOf("\r\n");
		const size = Number.parseInt(rest.slice(0, end), 16);
		if (!(size > 0)) return out;
		out += rest.slice(end + 2, end + 2 + size);
		rest = rest.slice(end + 4 + size);
	}
}

/** Sends through supertest, or over a raw socket when the request asks for it or has several headers. */
export async function send(baseUrl: string, port: number, req: AttackRequest): Promise<Reply> {
	if (req.raw || Array.isArray(req.authorization)) return sendRaw(port, req);
	let test = request(baseUrl).get(req.path);
	if (req.query !== undefined) test = test.query(req.query);
	if (typeof req.authorization === "string") test = test.set("Authorization", req.authorization);
	for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value);
	const res = await test.ok(() => true);
	return { status: res.status, headers: res.headers as Record<string, string>, body: res.text };
}
