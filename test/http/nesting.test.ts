import { type AuthOptions, InvalidTokenError } from "@bearerguard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer, type Expected, invalidToken, ok } from "../support/answers.js";
import { ADAPTERS, type AdapterName, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { type HttpRequest, send } from "../support/http.js";

/**
 * Nesting depth is capped (32 levels, header and payload) before anything walks a token recursively:
 * a forged token whose JOSE header nests 5,000 levels deep (it used to overflow the stack in the
 * header's deep-freeze, a 500 before any signature check) is `token_malformed`, through every adapter,
 * with `maxTokenLength` raised so that such a token fits.
 */

const b64url = (value: string) => Buffer.from(value).toString("base64url");
const LONG = 65_536;

/** A compact JWS whose header is `header` (JSON text), with a junk signature. */
function forged(header: string, iss: string): string {
	return `${b64url(header)}.${b64url(JSON.stringify({ iss, sub: "x", exp: 4e9 }))}.c2lnbmF0dXJl`;
}

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

interface Case {
	readonly name: string;
	readonly request: (fx: Fixture) => Promise<HttpRequest> | HttpRequest;
	readonly expected: Expected;
}

const bearer = (path: string, token: string): HttpRequest => ({
	method: "GET",
	path,
	headers: { authorization: `Bearer ${token}` },
});

const cases: readonly Case[] = [
	{
		name: "a forged header nested 5,000 levels deep: token_malformed, not a 500",
		request: ({ main }) => bearer("/n/long", forged(`{"alg":"RS256","x":${nested(5000)}}`, main.issuer)),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "a forged header nested 33 levels deep (one past the cap): token_malformed",
		request: ({ main }) => bearer("/n/long", forged(`{"alg":"RS256","x":${nested(32)}}`, main.issuer)),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "a forged header nested 32 levels deep (the cap): checked as usual, the signature refused",
		request: ({ main }) => bearer("/n/long", forged(`{"alg":"RS256","x":${nested(31)}}`, main.issuer)),
		expected: invalidToken("Invalid token signature"),
	},
	{
		name: "a payload signed by the real key nested 40 levels deep: token_malformed",
		request: async ({ main }) => bearer("/n/long", await main.sign({ deep: JSON.parse(nested(39)) })),
		expected: invalidToken("Malformed token"),
	},
	{
		name: "a payload signed by the real key nested 32 levels deep (Keycloak nests 3): accepted",
		request: async ({ main }) => bearer("/n/long", await main.sign({ deep: JSON.parse(nested(31)) })),
		expected: ok({ subject: "user_123" }),
	},
];

let fx: Fixture;
let apps: TestApp[];
const requests = new Map<Case, HttpRequest>();

beforeAll(async () => {
	fx = await startFixture();
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience, maxTokenLength: LONG }, [
		{ method: "GET", path: "/n/long" },
		{ method: "GET", path: "/n/framework", auth: { errorHandling: "framework" } as AuthOptions },
	]);
	for (const c of cases) requests.set(c, await c.request(fx));
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await fx?.close();
});

function app(name: AdapterName): TestApp {
	return apps.find((candidate) => candidate.name === name)!;
}

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s", async (name) => {
		checkAnswer(await send(app(name), requests.get(c)!), c.expected);
	});
});

describe("with errorHandling 'framework': the framework gets the 401, never a stack", () => {
	it.each(ADAPTERS)("%s", async (name) => {
		const target = app(name);
		const before = target.errors.length;
		const token = forged(`{"alg":"RS256","x":${nested(5000)}}`, fx.main.issuer);
		const answer = await send(target, bearer("/n/framework", token));
		expect(answer.status).toBe(401);
		expect(answer.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Malformed token"',
		);
		expect(answer.body).not.toContain("RangeError");
		expect(answer.body).not.toContain("    at ");
		const [error] = target.errors.slice(before);
		expect(error).toBeInstanceOf(InvalidTokenError);
		expect((error as InvalidTokenError).reason).toBe("token_malformed");
	});
});
