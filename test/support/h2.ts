import http2 from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";

/**
 * An h2c (HTTP/2 over cleartext TCP) client on `node:http2` that can send a header field twice, which
 * `node:http2` refuses to do for `authorization` (ERR_HTTP2_HEADER_SINGLE_VALUE). The session runs over
 * a socket that swaps the request's HEADERS frame for one encoded here (HPACK literals, no indexing),
 * so the server receives the fields as given; everything else, the answer included, is node's own.
 */

const PREFACE_LENGTH = 24;
const HEADERS = 0x1;
const END_STREAM_AND_HEADERS = 0x1 | 0x4;

/** An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1), its first byte or-ed with `flags`. */
function integer(value: number, n: number, flags: number): number[] {
	const max = (1 << n) - 1;
	if (value < max) return [flags | value];
	const bytes = [flags | max];
	let rest = value - max;
	while (rest >= 128) {
		bytes.push((rest % 128) | 128);
		rest = Math.floor(rest / 128);
	}
	bytes.push(rest);
	return bytes;
}

function string(value: string): number[] {
	const bytes = [...Buffer.from(value, "latin1")];
	return [...integer(bytes.length, 7, 0), ...bytes];
}

/** A literal header field without indexing (RFC 7541 §6.2.2), with a literal name. */
function literal(name: string, value: string): number[] {
	return [0x00, ...string(name), ...string(value)];
}

/** The header block of a GET: the pseudo-headers, then each field as given (repeats kept). */
function headerBlock(
	authority: string,
	path: string,
	fields: readonly (readonly [string, string])[],
): Buffer {
	const bytes = [
		0x82, // :method GET (static table 2)
		0x86, // :scheme http (static table 6)
		...literal(":path", path),
		...literal(":authority", authority),
	];
	for (const [name, value] of fields) bytes.push(...literal(name.toLowerCase(), value));
	return Buffer.from(bytes);
}

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
	const head = Buffer.alloc(9);
	head.writeUIntBE(payload.length, 0, 3);
	head[3] = type;
	head[4] = flags;
	head.writeUInt32BE(stream, 5);
	return Buffer.concat([head, payload]);
}

/** A socket that replaces the first HEADERS frame of stream 1 with `block`, and passes all else. */
function rewritingSocket(socket: net.Socket, block: Buffer): Duplex {
	let pending = Buffer.alloc(0);
	let prefaceSent = false;
	let replaced = false;
	const duplex = new Duplex({
		write(chunk: Buffer, _encoding, callback) {
			pending = Buffer.concat([pending, chunk]);
			const out: Buffer[] = [];
			if (!prefaceSent && pending.length >= PREFACE_LENGTH) {
				out.push(pending.subarray(0, PREFACE_LENGTH));
				pending = pending.subarray(PREFACE_LENGTH);
				prefaceSent = true;
			}
			while (prefaceSent && pending.length >= 9) {
				const length = pending.readUIntBE(0, 3);
				if (pending.length < 9 + length) break;
				const whole = pending.subarray(0, 9 + length);
				pending = pending.subarray(9 + length);
				const stream = whole.readUInt32BE(5) & 0x7fffffff;
				if (!replaced && whole[3] === HEADERS && stream === 1) {
					replaced = true;
					out.push(frame(HEADERS, END_STREAM_AND_HEADERS, 1, block));
				} else {
					out.push(whole);
				}
			}
			if (out.length === 0) callback();
			else socket.write(Buffer.concat(out), callback);
		},
		read() {
			socket.resume();
		},
		final(callback) {
			socket.end();
			callback();
		},
		destroy(error, callback) {
			socket.destroy(error ?? undefined);
			callback(error);
		},
	});
	socket.on("data", (data: Buffer) => {
		if (!duplex.push(data)) socket.pause();
	});
	socket.on("end", () => duplex.push(null));
	socket.on("error", (error) => duplex.destroy(error));
	return duplex;
}

/** An answer over HTTP/2: status, the headers the contract pins down, and the body. */
export interface H2Answer {
	readonly status: number;
	readonly headers: Readonly<Record<string, string | undefined>>;
	readonly body: string;
}

/**
 * GETs `path` from an h2c server at `origin` with these header fields, each sent as its own field
 * (so `[['authorization', a], ['authorization', b]]` sends two `authorization` fields).
 *
 * @example
 * ```ts
 * await h2Get('http://127.0.0.1:3000', '/me', [['authorization', 'Bearer a'], ['authorization', 'Bearer b']])
 * ```
 */
export async function h2Get(
	origin: string,
	path: string,
	fields: readonly (readonly [string, string])[],
): Promise<H2Answer> {
	const url = new URL(origin);
	const block = headerBlock(url.host, path, fields);
	const session = http2.connect(origin, {
		createConnection: () => rewritingSocket(net.connect(Number(url.port), url.hostname), block),
	});
	try {
		// What node encodes here is replaced on the wire; only the stream it opens matters.
		const stream = session.request({ ":method": "GET", ":path": path }, { endStream: true });
		const [status, headers] = await new Promise<[number, http2.IncomingHttpHeaders]>((resolve, reject) => {
			stream.on("response", (answer) => resolve([Number(answer[":status"]), answer]));
			stream.on("error", reject);
		});
		stream.setEncoding("utf8");
		let body = "";
		for await (const chunk of stream) body += chunk as string;
		const header = (name: string) => {
			const value = headers[name];
			return typeof value === "string" ? value : undefined;
		};
		return {
			status,
			headers: {
				"www-authenticate": header("www-authenticate"),
				"content-type": header("content-type"),
				"cache-control": header("cache-control"),
			},
			body,
		};
	} finally {
		session.close();
	}
}
