/**
 * API keys (`apiKeys`) over real HTTP, on every adapter, byte for byte the same: keys minted by the test
 * issuer (`issuer.apiKey`), kept by the apps only as hashes, in a static list or behind a `lookup`.
 */
import { type ApiKeyRecord, type AuthOptions, generateApiKey, hashApiKey } from "@bearerguard/core";
import { isWellFormedApiKey } from "@bearerguard/testing";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";

/** What an answer to a key request shows: status, the contract's headers and the deprecation ones, the body. */
interface KeyAnswer {
	readonly status: number;
	readonly headers: Readonly<Record<(typeof HEADERS)[number], string | undefined>>;
	readonly body: string;
}

const HEADERS = [
	"www-authenticate",
	"content-type",
	"cache-control",
	"retry-after",
	"deprecation",
	"sunset",
	"link",
] as const;

interface KeyRequest {
	readonly method?: "GET" | "DELETE";
	readonly path: string;
	readonly headers?: Readonly<Record<string, string>>;
}

async function send(app: TestApp, req: KeyRequest): Promise<KeyAnswer> {
	const agent = request(app.url);
	const test = req.method === "DELETE" ? agent.delete(req.path) : agent.get(req.path);
	const res = await test.set({ ...req.headers }).buffer(true);
	const headers = Object.fromEntries(
		HEADERS.map((name) => {
			const value: unknown = res.headers[name];
			return [name, typeof value === "string" ? value : undefined];
		}),
	) as KeyAnswer["headers"];
	return { status: res.status, headers, body: res.text };
}

const DEPRECATION = {
	since: "2026-01-01T00:00:00Z",
	sunset: "2027-06-30T00:00:00Z",
	link: "https://developer.apiera.io/migrate-to-oauth",
};
const DEPRECATED = {
	deprecation: "@1767225600",
	sunset: "Wed, 30 Jun 2027 00:00:00 GMT",
	link: '<https://developer.apiera.io/migrate-to-oauth>; rel="deprecation"; type="text/html"',
};
const NOT_DEPRECATED = { deprecation: undefined, sunset: undefined, link: undefined };
const INVALID_KEY_CHALLENGE =
	'Bearer realm="api", error="invalid_token", error_description="Invalid API key"';

let fx: Fixture;
let apps: TestApp[];
const keys = {} as Record<
	"reader" | "writer" | "expired" | "member" | "orphan" | "revoked" | "looked",
	string
>;
let records: ApiKeyRecord[];
const lookedUp: string[] = [];
let lookedRecord: ApiKeyRecord;

function routes(): RouteSpec[] {
	const listed = { keys: records, deprecation: DEPRECATION };
	const lookup = async (hash: string) => {
		lookedUp.push(hash);
		await new Promise((resolve) => setTimeout(resolve, 5));
		return hash === lookedRecord.hash ? lookedRecord : undefined;
	};
	const auth = (options: AuthOptions): AuthOptions => options;
	return [
		{ method: "GET", path: "/k", auth: auth({ apiKeys: listed }) },
		{ method: "GET", path: "/k/plain", auth: auth({ apiKeys: { keys: records } }) },
		{ method: "GET", path: "/k/write", auth: auth({ apiKeys: listed, permissions: ["write"] }) },
		{ method: "DELETE", path: "/k", auth: auth({ apiKeys: listed }), requirePermissions: ["delete"] },
		{ method: "GET", path: "/k/query", auth: auth({ apiKeys: { ...listed, query: "api_key" } }) },
		{
			method: "GET",
			path: "/k/org",
			auth: auth({ apiKeys: listed, organization: { header: "x-organization-id" } }),
		},
		{
			method: "GET",
			path: "/k/revoked",
			auth: auth({ apiKeys: listed, isRevoked: (found) => found.token === hashApiKey(keys.revoked) }),
		},
		{ method: "GET", path: "/k/lookup", auth: auth({ apiKeys: { lookup } }) },
		{
			method: "GET",
			path: "/k/throws",
			auth: auth({
				apiKeys: {
					lookup: () => {
						throw new Error("connect ECONNREFUSED 10.0.0.7:5432");
					},
				},
			}),
		},
		{
			method: "GET",
			path: "/k/slow",
			auth: auth({ apiKeys: { lookup: () => new Promise<undefined>(() => undefined), timeout: "300ms" } }),
		},
	];
}

beforeAll(async () => {
	fx = await startFixture();
	const mint = (
		subject: string,
		permissions: string[],
		extra: { organization?: string; expiresAt?: Date } = {},
	) => fx.main.apiKey({ subject, permissions, ...extra });
	const minted = {
		reader: mint("svc_reader", ["read"]),
		writer: mint("svc_writer", ["read", "write"]),
		expired: mint("svc_old", ["read"], { expiresAt: new Date(Date.now() - 60_000) }),
		member: mint("svc_member", ["read"], { organization: "org_acme" }),
		orphan: mint("svc_orphan", ["read"]),
		revoked: mint("svc_revoked", ["read"]),
	};
	for (const [name, { key }] of Object.entries(minted)) keys[name as keyof typeof keys] = key;
	records = Object.values(minted).map(({ record }) => record as ApiKeyRecord);
	const looked = fx.main.apiKey({ subject: "svc_looked_up", permissions: ["read"], name: "from the store" });
	keys.looked = looked.key;
	lookedRecord = looked.record as ApiKeyRecord;
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, routes());
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await fx?.close();
});

function app(name: AdapterName): TestApp {
	const found = apps.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no ${name} app`);
	return found;
}

type Expected =
	| {
			readonly status: 400 | 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			readonly challenge: string | null;
			readonly retryAfter?: string;
			readonly deprecated: boolean;
	  }
	| { readonly status: 200; readonly auth: Record<string, unknown>; readonly deprecated: boolean };

interface Case {
	readonly name: string;
	readonly request: () => KeyRequest;
	readonly expected: Expected;
}

const key = (name: keyof typeof keys, path = "/k", extra: Record<string, string> = {}): KeyRequest => ({
	path,
	headers: { "x-api-key": keys[name], ...extra },
});
const invalidKey = (deprecated = true): Expected => ({
	status: 401,
	error: "invalid_token",
	message: "Invalid API key",
	challenge: INVALID_KEY_CHALLENGE,
	deprecated,
});
const bare: Expected = {
	status: 401,
	error: "invalid_token",
	message: "Missing bearer token",
	challenge: 'Bearer realm="api"',
	deprecated: false,
};
const typo = (value: string) => `${value.slice(0, 20)}${value[20] === "x" ? "y" : "x"}${value.slice(21)}`;

const cases: readonly Case[] = [
	{
		name: "the right key",
		request: () => key("reader"),
		expected: {
			status: 200,
			auth: { subject: "svc_reader", organization: null, permissions: ["read"], hasExpiry: false },
			deprecated: true,
		},
	},
	{
		name: "the right key, no deprecation configured",
		request: () => key("reader", "/k/plain"),
		expected: { status: 200, auth: { subject: "svc_reader", permissions: ["read"] }, deprecated: false },
	},
	{
		name: "a wrong key (well formed, unknown)",
		request: () => ({ path: "/k", headers: { "x-api-key": generateApiKey().key } }),
		expected: invalidKey(),
	},
	{ name: "an expired key", request: () => key("expired"), expected: invalidKey() },
	{
		name: "a mistyped key",
		request: () => ({ path: "/k", headers: { "x-api-key": typo(keys.reader) } }),
		expected: invalidKey(),
	},
	{
		name: "a key of another format",
		request: () => ({ path: "/k", headers: { "x-api-key": "sk_live_4eC39HqLyjWDarjtT1zdp7dc" } }),
		expected: invalidKey(),
	},
	{ name: "no key, no token", request: () => ({ path: "/k" }), expected: bare },
	{
		name: "an empty key header",
		request: () => ({ path: "/k", headers: { "x-api-key": "" } }),
		expected: bare,
	},
	{
		name: "a key and a bearer token: one method only",
		request: () => key("reader", "/k", { authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }),
		expected: {
			status: 400,
			error: "invalid_request",
			message: "More than one credential sent",
			challenge:
				'Bearer realm="api", error="invalid_request", error_description="More than one credential sent"',
			deprecated: true,
		},
	},
	{
		name: "the key in the query, where allowed",
		request: () => ({ path: `/k/query?api_key=${keys.writer}` }),
		expected: {
			status: 200,
			auth: { subject: "svc_writer", permissions: ["read", "write"] },
			deprecated: true,
		},
	},
	{
		name: "the key in the query, where not allowed",
		request: () => ({ path: `/k?api_key=${keys.writer}` }),
		expected: bare,
	},
	{
		name: "the key in the query and the header",
		request: () => ({ path: `/k/query?api_key=${keys.writer}`, headers: { "x-api-key": keys.writer } }),
		expected: {
			status: 400,
			error: "invalid_request",
			message: "More than one credential sent",
			challenge:
				'Bearer realm="api", error="invalid_request", error_description="More than one credential sent"',
			deprecated: true,
		},
	},
	{
		name: "permissions through a key: granted",
		request: () => key("writer", "/k/write"),
		expected: {
			status: 200,
			auth: { subject: "svc_writer", permissions: ["read", "write"] },
			deprecated: true,
		},
	},
	{
		name: "permissions through a key: missing",
		request: () => key("reader", "/k/write"),
		expected: {
			status: 403,
			error: "insufficient_scope",
			message: "Insufficient permissions for the requested operation",
			challenge:
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
			deprecated: true,
		},
	},
	{
		name: "requirePermissions after a key-authenticated guard",
		request: () => ({ ...key("writer"), method: "DELETE" }),
		expected: {
			status: 403,
			error: "insufficient_scope",
			message: "Insufficient permissions for the requested operation",
			challenge:
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="delete"',
			deprecated: true,
		},
	},
	{
		name: "the organization of a key, equal to the request's header",
		request: () => key("member", "/k/org", { "x-organization-id": "org_acme" }),
		expected: { status: 200, auth: { subject: "svc_member", organization: "org_acme" }, deprecated: true },
	},
	{
		name: "the organization of a key, another in the request's header",
		request: () => key("member", "/k/org", { "x-organization-id": "org_other" }),
		expected: {
			status: 400,
			error: "invalid_request",
			message: "Missing or invalid organization ID",
			challenge:
				'Bearer realm="api", error="invalid_request", error_description="Missing or invalid organization ID"',
			deprecated: true,
		},
	},
	{
		name: "a key without an organization where one is required",
		request: () => key("orphan", "/k/org"),
		expected: {
			status: 400,
			error: "invalid_request",
			message: "Missing or invalid organization ID",
			challenge:
				'Bearer realm="api", error="invalid_request", error_description="Missing or invalid organization ID"',
			deprecated: true,
		},
	},
	{
		name: "a key that isRevoked refuses",
		request: () => key("revoked", "/k/revoked"),
		expected: {
			status: 401,
			error: "invalid_token",
			message: "Token has been revoked",
			challenge: 'Bearer realm="api", error="invalid_token", error_description="Token has been revoked"',
			deprecated: true,
		},
	},
	{
		name: "a lookup that throws: the 503",
		request: () => ({ path: "/k/throws", headers: { "x-api-key": generateApiKey().key } }),
		expected: {
			status: 503,
			error: "temporarily_unavailable",
			message: "API key verification is temporarily unavailable",
			challenge: null,
			retryAfter: "1",
			deprecated: false,
		},
	},
];

/** Requests built once, so every adapter gets the same bytes. */
const requests = new Map<Case, KeyRequest>();
beforeAll(() => {
	for (const c of cases) requests.set(c, c.request());
});

function check(answer: KeyAnswer, expected: Expected): void {
	expect(answer.status).toBe(expected.status);
	const deprecation = expected.deprecated ? DEPRECATED : NOT_DEPRECATED;
	expect({
		deprecation: answer.headers.deprecation,
		sunset: answer.headers.sunset,
		link: answer.headers.link,
	}).toEqual(deprecation);
	if (expected.status === 200) {
		expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
		const body = JSON.parse(answer.body) as { auth: Record<string, unknown> };
		expect(body.auth).toMatchObject(expected.auth);
		// No issuer for a key: the summary leaves it out.
		expect(body.auth.issuer).toBeUndefined();
		return;
	}
	expect(answer.headers["content-type"]).toBe("application/json");
	expect(answer.headers["cache-control"]).toBe("no-store");
	expect(answer.headers["www-authenticate"]).toBe(expected.challenge ?? undefined);
	expect(answer.headers["retry-after"]).toBe(expected.retryAfter);
	expect(answer.body).toBe(JSON.stringify({ error: expected.error, message: expected.message }));
}

describe("the test issuer's keys are bearerguard's", () => {
	it("well formed for both packages, their hashes the core's", () => {
		for (const value of Object.values(keys)) {
			expect(isWellFormedApiKey(value)).toBe(true);
			expect(records.some((record) => record.hash === hashApiKey(value)) || value === keys.looked).toBe(true);
		}
		const { key: generated } = generateApiKey();
		expect(isWellFormedApiKey(generated)).toBe(true);
	});
});

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s", async (name) => {
		check(await send(app(name), requests.get(c)!), c.expected);
	});

	it("is byte for byte the same in every adapter", async () => {
		const answers = await Promise.all(apps.map((each) => send(each, requests.get(c)!)));
		const [first, ...rest] = answers;
		for (const answer of rest) expect(answer).toEqual(first);
	});
});

describe("a bearer token on a route that takes keys", () => {
	it.each(ADAPTERS)("%s: still verified as a JWT, with no deprecation headers", async (name) => {
		const token = await fx.main.sign({ sub: "user_jwt", permissions: ["read"] });
		const answer = await send(app(name), { path: "/k", headers: { authorization: `Bearer ${token}` } });
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body)).toMatchObject({ auth: { subject: "user_jwt", issuer: fx.main.issuer } });
		expect(answer.headers.deprecation).toBeUndefined();
	});
});

describe("lookup", () => {
	it("refuses a malformed key on every adapter without a lookup", async () => {
		const before = lookedUp.length;
		for (const each of apps) {
			check(
				await send(each, { path: "/k/lookup", headers: { "x-api-key": typo(keys.looked) } }),
				invalidKey(false),
			);
		}
		expect(lookedUp.length).toBe(before);
	});

	it("finds a key once for all adapters (they share one verifier and its cache)", async () => {
		const before = lookedUp.length;
		for (const each of apps) {
			const answer = await send(each, { path: "/k/lookup", headers: { "x-api-key": keys.looked } });
			expect(answer.status).toBe(200);
			expect(JSON.parse(answer.body)).toMatchObject({
				auth: { subject: "svc_looked_up", permissions: ["read"] },
			});
		}
		expect(lookedUp.slice(before)).toEqual([hashApiKey(keys.looked)]);
	});

	it("is asked once for 100 concurrent requests with one unknown key", async () => {
		const before = lookedUp.length;
		const unknown = generateApiKey().key;
		const answers = await Promise.all(
			Array.from({ length: 100 }, (_, index) =>
				send(apps[index % apps.length] as TestApp, { path: "/k/lookup", headers: { "x-api-key": unknown } }),
			),
		);
		for (const answer of answers) check(answer, invalidKey(false));
		expect(lookedUp.slice(before)).toEqual([hashApiKey(unknown)]);
	});

	it.each(ADAPTERS)("%s: a lookup that hangs is the 503 once apiKeys.timeout passes", async (name) => {
		const started = performance.now();
		const answer = await send(app(name), { path: "/k/slow", headers: { "x-api-key": generateApiKey().key } });
		const elapsed = performance.now() - started;
		check(answer, {
			status: 503,
			error: "temporarily_unavailable",
			message: "API key verification is temporarily unavailable",
			challenge: null,
			retryAfter: "1",
			deprecated: false,
		});
		expect(elapsed).toBeGreaterThanOrEqual(290);
		expect(elapsed).toBeLessThan(3000);
	});
});
