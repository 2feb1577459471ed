/**
 * Opaque tokens checked by RFC 7662 introspection (`introspection`) over real HTTP, on every adapter,
 * byte for byte the same: against the test issuer's `/oauth/introspect`, a third-party mock
 * authorization server's `/introspect` (oauth2-mock-server, from the npm registry), and real servers
 * that fail (down, hanging, garbage, huge).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthOptions } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { AUDIENCE, type Fixture, startFixture } from "../support/fixture.js";
import { type HttpAnswer, type HttpRequest, send } from "../support/http.js";

/** A loopback server that fails one way; `url` is its introspection endpoint. */
interface Failing {
	readonly url: string;
	close(): Promise<void>;
}

async function failing(handler: (res: import("node:http").ServerResponse) => void): Promise<Failing> {
	const server: Server = createServer((req, res) => {
		res.on("error", () => undefined);
		req.resume();
		handler(res);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
	return {
		url,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const HUGE = 5 * 1024 * 1024;
const TIMEOUT = "400ms";

let fx: Fixture;
let scripted: TestIssuer;
let mock: OAuth2Server;
let mockAnswer: Record<string, unknown> = { active: true };
const mockRequests: { authorization: string | undefined; contentType: string | undefined }[] = [];
const servers: Failing[] = [];
const endpoints = {} as Record<"down" | "hang" | "garbage" | "huge", string>;
let apps: TestApp[];

function routes(): RouteSpec[] {
	const client = fx.main.introspectionClient;
	const introspection = (extra: Record<string, unknown> = {}): AuthOptions => ({
		introspection: { ...client, ...extra },
	});
	const faulty = (endpoint: string): RouteSpec["auth"] => ({
		introspection: { ...client, endpoint, timeout: TIMEOUT },
	});
	return [
		{ method: "GET", path: "/o", auth: introspection() },
		{ method: "GET", path: "/o/write", auth: { ...introspection(), permissions: ["write"] } },
		{ method: "GET", path: "/o/short", auth: introspection({ cacheMaxAge: 1 }) },
		{ method: "GET", path: "/o/jwt", auth: introspection({ jwt: true }) },
		{ method: "GET", path: "/o/none" },
		{ method: "GET", path: "/o/down", auth: faulty(endpoints.down) },
		{ method: "GET", path: "/o/hang", auth: faulty(endpoints.hang) },
		{ method: "GET", path: "/o/garbage", auth: faulty(endpoints.garbage) },
		{ method: "GET", path: "/o/huge", auth: faulty(endpoints.huge) },
		{
			method: "GET",
			path: "/s",
			standalone: true,
			auth: {
				issuer: scripted.issuer,
				audience: scripted.audience,
				introspection: { ...scripted.introspectionClient, timeout: TIMEOUT, cacheMaxAge: 0 },
			},
		},
		{
			method: "GET",
			path: "/m",
			standalone: true,
			auth: {
				issuer: mock.issuer.url as string,
				audience: fx.main.audience,
				permissions: ["read"],
				introspection: { clientId: "orders-api", clientSecret: "s3cret", cacheMaxAge: 0 },
			},
		},
	];
}

beforeAll(async () => {
	fx = await startFixture();
	scripted = await createTestIssuer({ audience: fx.main.audience });
	mock = new OAuth2Server();
	await mock.issuer.keys.generate("RS256");
	await mock.start(0, "127.0.0.1");
	mock.service.on(
		"beforeIntrospect",
		(response: { body: unknown; statusCode: number }, req: import("node:http").IncomingMessage) => {
			mockRequests.push({
				authorization: req.headers.authorization,
				contentType: req.headers["content-type"],
			});
			response.body = mockAnswer;
		},
	);
	const down = await failing(() => undefined);
	await down.close();
	endpoints.down = down.url;
	const started = await Promise.all([
		failing(() => undefined),
		failing((res) =>
			res.writeHead(200, { "content-type": "application/json" }).end("<html>502 Bad Gateway</html>"),
		),
		failing((res) => {
			res.writeHead(200, { "content-type": "application/json" });
			const chunk = Buffer.alloc(64 * 1024, 0x20);
			let sent = 0;
			const pump = (): void => {
				while (sent < HUGE && !res.destroyed) {
					sent += chunk.length;
					if (!res.write(chunk)) return void res.once("drain", pump);
				}
				if (!res.destroyed) res.end();
			};
			pump();
		}),
	]);
	servers.push(...started);
	[endpoints.hang, endpoints.garbage, endpoints.huge] = started.map((server) => server.url) as [
		string,
		string,
		string,
	];
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, routes());
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await Promise.all(servers.map((server) => server.close()));
	await Promise.all([fx?.close(), scripted?.close(), mock?.stop()]);
});

function app(name: AdapterName): TestApp {
	const found = apps.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no ${name} app`);
	return found;
}

type Expected =
	| {
			readonly status: 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			readonly challenge: string | null;
	  }
	| { readonly status: 200; readonly auth: Record<string, unknown> };

const get = (path: string, token?: string): HttpRequest => ({
	method: "GET",
	path,
	headers: token === undefined ? undefined : { authorization: `Bearer ${token}` },
});
const invalid = (message: string): Expected => ({
	status: 401,
	error: "invalid_token",
	message,
	challenge: `Bearer realm="api", error="invalid_token", error_description="${message}"`,
});
const UNAVAILABLE: Expected = {
	status: 503,
	error: "temporarily_unavailable",
	message: "Token introspection is temporarily unavailable",
	challenge: null,
};

function check(answer: HttpAnswer, expected: Expected): void {
	expect(answer.status).toBe(expected.status);
	if (expected.status === 200) {
		expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
		expect((JSON.parse(answer.body) as { auth: unknown }).auth).toMatchObject(expected.auth);
		return;
	}
	expect(answer.headers["content-type"]).toBe("application/json");
	expect(answer.headers["cache-control"]).toBe("no-store");
	expect(answer.headers["www-authenticate"]).toBe(expected.challenge ?? undefined);
	expect(answer.headers["retry-after"]).toBe(expected.status === 503 ? "1" : undefined);
	expect(answer.body).toBe(JSON.stringify({ error: expected.error, message: expected.message }));
}

interface Case {
	readonly name: string;
	readonly request: () => HttpRequest | Promise<HttpRequest>;
	readonly expected: Expected;
}

const cases: readonly Case[] = [
	{
		name: "an active opaque token",
		request: () => get("/o", fx.main.issueOpaqueToken({ sub: "user_7", scope: "read write" })),
		expected: {
			status: 200,
			auth: { subject: "user_7", permissions: ["read", "write"], hasExpiry: true },
		},
	},
	{
		name: "an inactive token",
		request: () => get("/o", "never-issued-by-anyone"),
		expected: invalid("Token is not active"),
	},
	{
		name: "an expired token (the issuer says inactive)",
		request: () => get("/o", fx.main.issueOpaqueToken({}, { expiresIn: -60 })),
		expected: invalid("Token is not active"),
	},
	{
		name: "a token for another audience",
		request: () => get("/o", fx.main.issueOpaqueToken({ aud: "https://other.example" })),
		expected: invalid("Unexpected token audience"),
	},
	{
		name: "a token from another issuer",
		request: () => get("/o", fx.main.issueOpaqueToken({ iss: "https://evil.example/" })),
		expected: invalid("Unexpected token issuer"),
	},
	{
		name: "scope to permissions: granted",
		request: () => get("/o/write", fx.main.issueOpaqueToken({ scope: "read write" })),
		expected: { status: 200, auth: { permissions: ["read", "write"] } },
	},
	{
		name: "scope to permissions: missing",
		request: () => get("/o/write", fx.main.issueOpaqueToken({ scope: "read" })),
		expected: {
			status: 403,
			error: "insufficient_scope",
			message: "Insufficient permissions for the requested operation",
			challenge:
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
		},
	},
	{
		name: "an opaque token where introspection is off",
		request: () => get("/o/none", fx.main.issueOpaqueToken()),
		expected: invalid("Malformed token"),
	},
	{ name: "the endpoint down", request: () => get("/o/down", "opaque-down"), expected: UNAVAILABLE },
	{ name: "the endpoint hanging", request: () => get("/o/hang", "opaque-hang"), expected: UNAVAILABLE },
	{
		name: "the endpoint answering garbage",
		request: () => get("/o/garbage", "opaque-garbage"),
		expected: UNAVAILABLE,
	},
	{
		name: "the endpoint answering 5 MiB",
		request: () => get("/o/huge", "opaque-huge"),
		expected: UNAVAILABLE,
	},
];

const requests = new Map<Case, HttpRequest>();
beforeAll(async () => {
	for (const c of cases) requests.set(c, await c.request());
});

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s", async (name) => {
		const started = performance.now();
		check(await send(app(name), requests.get(c)!), c.expected);
		// Every failure of the endpoint answers within the timeout, with margin.
		expect(performance.now() - started).toBeLessThan(3000);
	});

	it("is byte for byte the same in every adapter", async () => {
		const answers = await Promise.all(apps.map((each) => send(each, requests.get(c)!)));
		const [first, ...rest] = answers;
		for (const answer of rest) expect(answer).toEqual(first);
	});
});

describe("the endpoint's own faults, scripted in the test issuer", () => {
	it.each([
		["a 500", { error: "server_error" }, { status: 500 }],
		["a 200 that is not JSON", "not json", {}],
		["a 200 without active", { sub: "user_1" }, {}],
		["no answer within the timeout", { active: true }, { delay: Number.POSITIVE_INFINITY }],
	] as const)("%s is the 503 on every adapter, never a 401", async (_name, body, options) => {
		scripted.setIntrospection(body, options);
		try {
			const answers = await Promise.all(
				apps.map((each) => send(each, get("/s", `scripted-${_name.length}`))),
			);
			for (const answer of answers) check(answer, UNAVAILABLE);
		} finally {
			scripted.setIntrospection(undefined);
		}
	});

	it("an active answer with an exp in the past is the 401 Token has expired", async () => {
		scripted.setIntrospection({ active: true, exp: Math.floor(Date.now() / 1000) - 60 });
		try {
			for (const each of apps)
				check(await send(each, get("/s", "expired-by-exp")), invalid("Token has expired"));
		} finally {
			scripted.setIntrospection(undefined);
		}
	});
});

describe("the cache", () => {
	it("introspects a token once for every adapter (one shared verifier)", async () => {
		const token = fx.main.issueOpaqueToken({ sub: "cached" });
		const before = fx.main.requests.introspection;
		for (const each of apps)
			check(await send(each, get("/o", token)), { status: 200, auth: { subject: "cached" } });
		expect(fx.main.requests.introspection - before).toBe(1);
	});

	it("makes one call for 100 concurrent requests with one new token", async () => {
		const token = fx.main.issueOpaqueToken({ sub: "crowd" });
		const before = fx.main.requests.introspection;
		const answers = await Promise.all(
			Array.from({ length: 100 }, (_, index) => send(apps[index % apps.length] as TestApp, get("/o", token))),
		);
		for (const answer of answers) check(answer, { status: 200, auth: { subject: "crowd" } });
		expect(fx.main.requests.introspection - before).toBe(1);
	});

	it("refuses a revoked token once its cached answer ends (cacheMaxAge: 1 s)", async () => {
		const token = fx.main.issueOpaqueToken({ sub: "soon-revoked" });
		for (const each of apps)
			check(await send(each, get("/o/short", token)), { status: 200, auth: { subject: "soon-revoked" } });
		fx.main.revoke(token);
		// Still cached: the revocation is not seen yet.
		check(await send(apps[0] as TestApp, get("/o/short", token)), {
			status: 200,
			auth: { subject: "soon-revoked" },
		});
		await new Promise((resolve) => setTimeout(resolve, 1100));
		for (const each of apps) check(await send(each, get("/o/short", token)), invalid("Token is not active"));
	});
});

describe("JWTs", () => {
	it.each(ADAPTERS)(
		"%s: verified by signature without a call, or introspected with introspection.jwt",
		async (name) => {
			const token = await fx.main.sign({ sub: "jwt-user", scope: "read" });
			const before = fx.main.requests.introspection;
			check(await send(app(name), get("/o", token)), { status: 200, auth: { subject: "jwt-user" } });
			expect(fx.main.requests.introspection).toBe(before);
			check(await send(app(name), get("/o/jwt", token)), { status: 200, auth: { subject: "jwt-user" } });
			expect(fx.main.requests.introspection).toBe(before + 1);
		},
	);
});

describe("a third-party authorization server: oauth2-mock-server's /introspect", () => {
	const answers = (name: string, answer: Record<string, unknown>, expected: Expected) =>
		it.each(ADAPTERS)(`%s: ${name}`, async (adapter) => {
			mockAnswer = answer;
			check(await send(app(adapter), get("/m", `mock-${name.replace(/\W/g, "")}-${adapter}`)), expected);
		});

	answers(
		"active, scope to permissions",
		{
			active: true,
			sub: "mock-user",
			scope: "read write",
			aud: AUDIENCE,
			exp: Math.floor(Date.now() / 1000) + 3600,
		},
		{ status: 200, auth: { subject: "mock-user", permissions: ["read", "write"] } },
	);
	answers("inactive", { active: false }, invalid("Token is not active"));
	answers(
		"active without the route's permission",
		{ active: true, scope: "write" },
		{
			status: 403,
			error: "insufficient_scope",
			message: "Insufficient permissions for the requested operation",
			challenge:
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="read"',
		},
	);
	answers("expired", { active: true, scope: "read", exp: 1_000_000_000 }, invalid("Token has expired"));
	answers(
		"for another audience",
		{ active: true, scope: "read", aud: "https://other.example" },
		invalid("Unexpected token audience"),
	);
	answers(
		"from another issuer",
		{ active: true, scope: "read", iss: "https://evil.example/" },
		invalid("Unexpected token issuer"),
	);

	it("was found in the mock's metadata and called with HTTP Basic client authentication and a form", () => {
		expect(mockRequests.length).toBeGreaterThan(0);
		for (const seen of mockRequests) {
			expect(seen.authorization).toBe(`Basic ${Buffer.from("orders-api:s3cret").toString("base64")}`);
			expect(seen.contentType).toBe("application/x-www-form-urlencoded");
		}
	});
});
