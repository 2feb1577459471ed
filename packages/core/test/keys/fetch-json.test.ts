import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { FetchError, fetchJson, MAX_BODY_BYTES } from "../../src/keys/fetch-json.js";
import {
	closedPortUrl,
	type FaultyServer,
	garbageServer,
	hangingBodyServer,
	hangingServer,
	hugeBodyServer,
	jsonServer,
	redirectLoopServer,
	startServer,
} from "../support/faulty-servers.js";
import { rejectionOf } from "../support/refusals.js";

const servers: FaultyServer[] = [];
async function serve(server: Promise<FaultyServer>): Promise<FaultyServer> {
	const started = await server;
	servers.push(started);
	return started;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function failure(url: string, timeout = 2): Promise<{ error: FetchError; elapsed: number }> {
	const started = performance.now();
	const error = await rejectionOf(fetchJson(url, timeout));
	expect(error).toBeInstanceOf(FetchError);
	return { error: error as FetchError, elapsed: performance.now() - started };
}

describe("fetchJson", () => {
	it("GETs and parses a JSON document, asking for JSON", async () => {
		let accept: string | undefined;
		const server = await serve(
			startServer((req, res) => {
				accept = req.headers.accept;
				res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[],"n":1}');
			}),
		);
		expect(await fetchJson(server.url, 2)).toEqual({ keys: [], n: 1 });
		expect(server.requests).toEqual(["GET /jwks.json"]);
		expect(accept).toBe("application/json");
	});

	it("parses any JSON value (the caller checks the shape)", async () => {
		const server = await serve(jsonServer("[1,2]"));
		expect(await fetchJson(server.url, 2)).toEqual([1, 2]);
	});

	it("reads a body of exactly 1 MiB", async () => {
		const body = `"${"a".repeat(MAX_BODY_BYTES - 2)}"`;
		const server = await serve(jsonServer(body));
		expect(((await fetchJson(server.url, 5)) as string).length).toBe(MAX_BODY_BYTES - 2);
		expect(MAX_BODY_BYTES).toBe(1_048_576);
	});

	it("fails fast on a closed port", async () => {
		const url = await closedPortUrl();
		const { error, elapsed } = await failure(url);
		expect(error.message).toBe(
			`GET ${url} failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${new URL(url).port})`,
		);
		expect(error.name).toBe("FetchError");
		expect((error as FetchError).code).toBe("ECONNREFUSED");
		expect((error as FetchError).status).toBeUndefined();
		expect(error.cause).toBeInstanceOf(TypeError);
		expect(elapsed).toBeLessThan(1000);
	});

	it("gives up on a server that never answers after the timeout", async () => {
		const server = await serve(hangingServer());
		const { error, elapsed } = await failure(server.url, 0.3);
		expect(error.message).toBe(
			`GET ${server.url} failed: TIMEOUT (The operation was aborted due to timeout)`,
		);
		expect((error as FetchError).code).toBe("TIMEOUT");
		expect((error.cause as Error).name).toBe("TimeoutError");
		expect(elapsed).toBeGreaterThanOrEqual(250);
		expect(elapsed).toBeLessThan(1300);
	});

	it("gives up on a body that never ends after the timeout (the deadline covers the body)", async () => {
		const server = await serve(hangingBodyServer());
		const { error, elapsed } = await failure(server.url, 0.3);
		expect(error.message).toBe(
			`GET ${server.url} failed while reading the body: TIMEOUT (The operation was aborted due to timeout)`,
		);
		expect((error as FetchError).code).toBe("TIMEOUT");
		expect(elapsed).toBeGreaterThanOrEqual(250);
		expect(elapsed).toBeLessThan(1300);
	});

	it("refuses a body that is not JSON", async () => {
		const server = await serve(garbageServer());
		const { error } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} did not answer JSON`);
		expect((error as FetchError).code).toBe("NOT_JSON");
		expect(error.cause).toBeInstanceOf(SyntaxError);
	});

	it("refuses an empty body", async () => {
		const server = await serve(jsonServer(""));
		expect((await failure(server.url)).error.message).toBe(`GET ${server.url} did not answer JSON`);
	});

	it("refuses a declared 5 MiB body at once, without reading it", async () => {
		const server = await serve(hugeBodyServer(true));
		const { error, elapsed } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} declared a body over 1048576 bytes`);
		expect((error as FetchError).code).toBe("TOO_LARGE");
		expect(elapsed).toBeLessThan(1000);
	});

	it("cuts off an undeclared (chunked) 5 MiB body past 1 MiB", async () => {
		const server = await serve(hugeBodyServer(false));
		const { error, elapsed } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} sent a body over 1048576 bytes`);
		expect(elapsed).toBeLessThan(1000);
	});

	it("cuts off a gzip bomb by its decompressed size (5 MiB from a few KiB on the wire)", async () => {
		const compressed = gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20));
		expect(compressed.length).toBeLessThan(16 * 1024);
		const server = await serve(
			startServer((_req, res) => {
				res.writeHead(200, {
					"content-type": "application/json",
					"content-encoding": "gzip",
					"content-length": String(compressed.length),
				});
				res.end(compressed);
			}),
		);
		const { error, elapsed } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} sent a body over 1048576 bytes`);
		expect(elapsed).toBeLessThan(1000);
	});

	it("refuses a body one byte over 1 MiB", async () => {
		const server = await serve(jsonServer(`"${"a".repeat(MAX_BODY_BYTES - 1)}"`));
		expect((await failure(server.url, 5)).error.message).toBe(
			`GET ${server.url} declared a body over 1048576 bytes`,
		);
	});

	it("does not follow redirects: a 302 to itself is one request and a failure", async () => {
		const server = await serve(redirectLoopServer());
		const { error, elapsed } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} answered 302`);
		expect([(error as FetchError).code, (error as FetchError).status]).toEqual(["REDIRECT", 302]);
		expect(server.requests).toEqual(["GET /jwks.json"]);
		expect(elapsed).toBeLessThan(1000);
	});

	it.each([201, 204, 301, 304, 404, 500, 503])("refuses a %s answer", async (status) => {
		const server = await serve(jsonServer(status === 204 || status === 304 ? "" : '{"keys":[]}', { status }));
		const { error } = await failure(server.url);
		expect(error.message).toBe(`GET ${server.url} answered ${status}`);
		const code = [301, 302, 303, 307, 308].includes(status) ? "REDIRECT" : "HTTP_STATUS";
		expect([(error as FetchError).code, (error as FetchError).status]).toEqual([code, status]);
	});

	it("refuses a URL fetch cannot use", async () => {
		const { error } = await failure("http://127.0.0.1:0/jwks.json");
		expect(error.message).toBe(
			"GET http://127.0.0.1:0/jwks.json failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1)",
		);
		expect((error as FetchError).code).toBe("ECONNREFUSED");
	});
});
