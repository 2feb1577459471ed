import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createAuthenticator, type RequestReader, toErrorResponse } from "@bearerguard/core";
import bearerGuard from "@bearerguard/fastify";
import { requireAuth as koaRequireAuth } from "@bearerguard/koa";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify, { type FastifyInstance } from "fastify";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAuth } from "../support/apps.js";
import { type H2Answer, h2Get } from "../support/h2.js";

/**
 * Headers are read the same way over HTTP/1.1 and HTTP/2: two `Authorization` fields over real h2c
 * are the exact 400 `Duplicate Authorization header` (they used to be a TypeError, a 500: an
 * `Http2ServerRequest` has no `headersDistinct`), one is a 200, none the bare 401. Koa and a plain
 * `node:http2` server through the core run on `http2.createServer`, Fastify with `{ http2: true }`.
 * (Express does not run on `node:http2`: it replaces the request's prototype.)
 */

let issuer: TestIssuer;
const closers: (() => Promise<void>)[] = [];
const origins: Record<string, string> = {};

function listen(server: http2.Http2Server): Promise<string> {
	return new Promise((resolve) =>
		server.listen(0, "127.0.0.1", () => {
			closers.push(() => new Promise((done) => server.close(() => done())));
			resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		}),
	);
}

/** The core alone on node:http2: what an adapter for another framework does. */
function coreServer(options: { issuer: string; audience: string }): http2.Http2Server {
	const reader: RequestReader<http2.Http2ServerRequest> = {
		headers: (req) => req.headers,
		rawHeaders: (req) => req.rawHeaders,
	};
	const { authenticate } = createAuthenticator(options);
	return http2.createServer(async (req, res) => {
		try {
			const auth = await authenticate(req, reader);
			res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
			res.end(JSON.stringify(describeAuth(auth)));
		} catch (error) {
			const { status, headers, body } = toErrorResponse(error);
			res.writeHead(status, headers).end(body);
		}
	});
}

beforeAll(async () => {
	issuer = await createTestIssuer();
	const options = { issuer: issuer.issuer, audience: issuer.audience };

	const koa = new Koa();
	koa.use(koaRequireAuth(options));
	koa.use((ctx) => {
		ctx.body = describeAuth(ctx.state.auth);
	});
	origins.koa = await listen(http2.createServer(koa.callback()));

	const fastify: FastifyInstance = Fastify({ http2: true }) as unknown as FastifyInstance;
	await fastify.register(bearerGuard, options);
	fastify.addHook("onRequest", fastify.requireAuth());
	fastify.get("/me", async (request) => describeAuth(request.auth));
	origins.fastify = await fastify.listen({ port: 0, host: "127.0.0.1" });
	closers.push(() => fastify.close());

	origins.core = await listen(coreServer(options));
});

afterAll(async () => {
	await Promise.all(closers.map((close) => close()));
	await issuer?.close();
});

const SERVERS = ["koa", "fastify", "core"] as const;

function checkFailure(answer: H2Answer, status: number, body: object, challenge: string): void {
	expect(answer.status).toBe(status);
	expect(answer.headers["content-type"]).toBe("application/json");
	expect(answer.headers["cache-control"]).toBe("no-store");
	expect(answer.headers["www-authenticate"]).toBe(challenge);
	expect(answer.body).toBe(JSON.stringify(body));
}

describe.each(SERVERS)("%s over h2c", (server) => {
	it("two Authorization fields: the exact 400 Duplicate Authorization header", async () => {
		const token = await issuer.sign();
		const answer = await h2Get(origins[server]!, "/me", [
			["authorization", `Bearer ${token}`],
			["authorization", `Bearer ${token}`],
		]);
		checkFailure(
			answer,
			400,
			{ error: "invalid_request", message: "Duplicate Authorization header" },
			'Bearer realm="api", error="invalid_request", error_description="Duplicate Authorization header"',
		);
	});

	it("two Authorization fields, the second one empty: still the 400", async () => {
		const answer = await h2Get(origins[server]!, "/me", [
			["authorization", `Bearer ${await issuer.sign()}`],
			["authorization", ""],
		]);
		expect(answer.status).toBe(400);
		expect(answer.body).toBe('{"error":"invalid_request","message":"Duplicate Authorization header"}');
	});

	it("one Authorization field (sent as given, and by the plain node:http2 client): 200", async () => {
		const token = await issuer.sign({ permissions: ["read"] });
		const answer = await h2Get(origins[server]!, "/me", [["authorization", `Bearer ${token}`]]);
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body)).toMatchObject({ auth: { subject: "user_123", permissions: ["read"] } });

		const session = http2.connect(origins[server]!);
		try {
			const stream = session.request({ ":path": "/me", authorization: `Bearer ${token}` });
			const status = await new Promise<number>((resolve) =>
				stream.on("response", (h) => resolve(Number(h[":status"]))),
			);
			stream.resume();
			expect(status).toBe(200);
		} finally {
			session.close();
		}
	});

	it("no Authorization field: the bare 401", async () => {
		const answer = await h2Get(origins[server]!, "/me", [["accept", "application/json"]]);
		checkFailure(
			answer,
			401,
			{ error: "invalid_token", message: "Missing bearer token" },
			'Bearer realm="api"',
		);
	});
});
