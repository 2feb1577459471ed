import { afterAll, beforeAll, describe, it } from "vitest";
import { checkAnswer, type Expected, invalidRequest, invalidToken, ok } from "../support/answers.js";
import { ADAPTERS, type AdapterName, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { type HttpRequest, send } from "../support/http.js";

/**
 * Configured claims are read as the token's own members only (never `constructor` or `valueOf` from
 * `Object.prototype`); a name with dots is read as a path when the token has no claim of that exact
 * name (Keycloak's `realm_access.roles`); an array is always a path; `audienceClaim` names the claim
 * checked against `audience` (Cognito's `client_id`). Through every adapter.
 */

const CLIENT = "4l1ent1d0fac0gn1t0app";

function routes(): RouteSpec[] {
	return [
		{
			method: "GET",
			path: "/c/prototype",
			auth: { permissionsClaim: ["permissions", "valueOf", "constructor"] },
		},
		{
			method: "GET",
			path: "/c/org-prototype",
			auth: { organization: { claim: "constructor", required: false } },
		},
		{
			method: "GET",
			path: "/c/keycloak",
			auth: { permissionsClaim: ["scope", "realm_access.roles", ["resource_access", "my.api", "roles"]] },
		},
		{ method: "GET", path: "/c/namespaced", auth: { permissionsClaim: "https://example.com/roles" } },
		{ method: "GET", path: "/c/deep-prototype", auth: { permissionsClaim: "realm_access.constructor" } },
		{ method: "GET", path: "/c/org-path", auth: { organization: { claim: "tenant.id" } } },
		{ method: "GET", path: "/c/cognito", auth: { audience: CLIENT, audienceClaim: "client_id" } },
	];
}

interface Case {
	readonly name: string;
	readonly path: string;
	readonly claims: Record<string, unknown>;
	readonly expected: Expected;
}

const cases: readonly Case[] = [
	{
		name: "permission claims named like Object.prototype members, absent from the token: not read",
		path: "/c/prototype",
		claims: { permissions: ["read"] },
		expected: ok({ permissions: ["read"] }),
	},
	{
		name: "a permission claim named valueOf that the token has: read as its own member",
		path: "/c/prototype",
		claims: { valueOf: "admin" },
		expected: ok({ permissions: ["admin"] }),
	},
	{
		name: "an organization claim named constructor, absent and not required: no organization",
		path: "/c/org-prototype",
		claims: {},
		expected: ok({ organization: null }),
	},
	{
		name: "Keycloak: realm_access.roles and resource_access[my.api].roles as paths, scope by name",
		path: "/c/keycloak",
		claims: {
			scope: "openid profile",
			realm_access: { roles: ["admin"] },
			resource_access: { "my.api": { roles: ["write"] }, account: { roles: ["manage-account"] } },
		},
		expected: ok({ permissions: ["admin", "openid", "profile", "write"] }),
	},
	{
		name: "a claim whose exact name has dots wins over the path",
		path: "/c/keycloak",
		claims: { "realm_access.roles": ["exact"], realm_access: { roles: ["nested"] } },
		expected: ok({ permissions: ["exact"] }),
	},
	{
		name: "a path that ends in an object is an invalid claim, never a silent empty set",
		path: "/c/keycloak",
		claims: { realm_access: { roles: { admin: true } } },
		expected: invalidToken("Token has an invalid claim"),
	},
	{
		name: "Auth0-style namespaced claim: the exact name, dots and all",
		path: "/c/namespaced",
		claims: { "https://example.com/roles": ["editor"] },
		expected: ok({ permissions: ["editor"] }),
	},
	{
		name: "a path never steps into Object.prototype",
		path: "/c/deep-prototype",
		claims: { realm_access: { roles: ["admin"] } },
		expected: ok({ permissions: [] }),
	},
	{
		name: "an organization read through a path",
		path: "/c/org-path",
		claims: { tenant: { id: "org_acme" } },
		expected: ok({ organization: "org_acme" }),
	},
	{
		name: "an organization path to a missing claim: required, so the 400",
		path: "/c/org-path",
		claims: { tenant: "org_acme" },
		expected: invalidRequest("Missing or invalid organization ID"),
	},
	{
		name: "audienceClaim client_id: a Cognito access token without aud",
		path: "/c/cognito",
		claims: { aud: undefined, client_id: CLIENT, token_use: "access" },
		expected: ok({ subject: "user_123" }),
	},
	{
		name: "audienceClaim client_id: another client",
		path: "/c/cognito",
		claims: { aud: undefined, client_id: "another-client" },
		expected: invalidToken("Unexpected token audience"),
	},
	{
		name: "audienceClaim client_id: aud alone no longer counts",
		path: "/c/cognito",
		claims: { aud: CLIENT },
		expected: invalidToken("Unexpected token audience"),
	},
];

let fx: Fixture;
let apps: TestApp[];
const requests = new Map<Case, HttpRequest>();

beforeAll(async () => {
	fx = await startFixture();
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, routes());
	for (const c of cases) {
		const token = await fx.main.sign(c.claims);
		requests.set(c, { method: "GET", path: c.path, headers: { authorization: `Bearer ${token}` } });
	}
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
