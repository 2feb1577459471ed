import type { AuthOptions } from "@bearerguard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	checkAnswer,
	checkProgrammingError,
	type Expected,
	insufficientScope,
	NOTHING_CONFIGURED,
	noCredentials,
	ok,
	permissionsAlone,
	type SetupMessage,
} from "../support/answers.js";
import { ADAPTERS, type AdapterName, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { type HttpRequest, send } from "../support/http.js";

/**
 * Guards that build on each other, on every adapter: `optional` never opens a guard that requires
 * permissions; a guard given only guard options reuses the `auth` of a guard before it (no second
 * verification, no verifier options); with nothing configured and nothing before it, and
 * `requirePermissions` alone, a request is a programming error (the framework gets a `GuardSetupError`,
 * the client a generic 500), never a 401 to a client that sent a valid token.
 */

/** Calls of `validate` of the upstream guards: one per verification (cache hit or not). */
let verifications = 0;
const validate = () => {
	verifications++;
	return true;
};

/** A look-alike `auth` that another library (or the app) might leave on the request. */
const FORGED = {
	subject: "forged",
	issuer: "https://evil.example",
	permissions: new Set(["write", "delete"]),
	claims: {},
};

function routes(fx: Fixture): RouteSpec[] {
	const upstream: AuthOptions = { issuer: fx.main.issuer, audience: fx.main.audience, validate };
	return [
		// Item 1 of the review: optional + permissions.
		{ method: "GET", path: "/g/optional-write", auth: { optional: true, permissions: ["write"] } },
		{ method: "GET", path: "/g/optional-any", auth: { optional: true, anyPermission: ["write", "admin"] } },
		// A guard with only guard options behind one that verified.
		{ method: "POST", path: "/g/reuse", standalone: true, upstream, auth: { permissions: ["write"] } },
		{
			method: "GET",
			path: "/g/reuse-any",
			standalone: true,
			upstream,
			auth: { anyPermission: ["admin"] },
		},
		{ method: "GET", path: "/g/reuse-nothing", standalone: true, upstream },
		{
			method: "GET",
			path: "/g/after-optional",
			standalone: true,
			upstream: { ...upstream, optional: true },
			auth: { permissions: ["write"] },
		},
		{
			method: "GET",
			path: "/g/after-optional-optional",
			standalone: true,
			upstream: { ...upstream, optional: true },
			auth: { optional: true },
		},
		{
			method: "GET",
			path: "/g/after-optional-plain",
			standalone: true,
			upstream: { ...upstream, optional: true },
		},
		// Only guard options, the environment configures, nothing before it: it verifies.
		{
			method: "GET",
			path: "/g/env",
			standalone: true,
			auth: { permissions: ["write"] },
			env: { BEARERGUARD_ISSUER: fx.main.issuer, BEARERGUARD_AUDIENCE: fx.main.audience },
		},
		// Nothing configured, nothing before it: a programming error.
		{ method: "POST", path: "/g/nothing", standalone: true, auth: { permissions: ["write"] } },
		{ method: "GET", path: "/g/nothing-at-all", standalone: true },
		{
			method: "GET",
			path: "/g/forged",
			standalone: true,
			forgedAuth: FORGED,
			auth: { permissions: ["write"] },
		},
		// requirePermissions.
		{ method: "DELETE", path: "/g/permissions", upstream: {}, noGuard: true, requirePermissions: ["delete"] },
		{ method: "DELETE", path: "/g/permissions-alone", noGuard: true, requirePermissions: ["delete"] },
		{
			method: "DELETE",
			path: "/g/permissions-forged",
			forgedAuth: FORGED,
			noGuard: true,
			requirePermissions: ["delete"],
		},
	];
}

interface Case {
	readonly name: string;
	readonly request: (fx: Fixture) => Promise<HttpRequest> | HttpRequest;
	/** The answer, or the message of the programming error the framework must get. */
	readonly expected: Expected | { readonly programmingError: SetupMessage };
	/** Verifications the request costs (`validate` calls), when the case counts them. */
	readonly verifications?: number;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (path: string, headers?: HttpRequest["headers"]): HttpRequest => ({
	method: "GET",
	path,
	headers,
});
const withToken =
	(method: HttpRequest["method"], path: string, claims: Record<string, unknown> = {}) =>
	async ({ main }: Fixture): Promise<HttpRequest> => ({
		method,
		path,
		headers: bearer(await main.sign(claims)),
	});

const cases: readonly Case[] = [
	{
		name: "optional + permissions, no credentials: the bare 401, not a pass",
		request: () => get("/g/optional-write"),
		expected: noCredentials(),
	},
	{
		name: "optional + permissions, another scheme: the bare 401",
		request: () => get("/g/optional-write", { authorization: "Basic dXNlcjpwYXNz" }),
		expected: noCredentials(),
	},
	{
		name: "optional + permissions, a token without the permission: 403",
		request: withToken("GET", "/g/optional-write", { permissions: ["read"] }),
		expected: insufficientScope("write"),
	},
	{
		name: "optional + permissions, a token with it: 200",
		request: withToken("GET", "/g/optional-write", { permissions: ["write"] }),
		expected: ok({ permissions: ["write"] }),
	},
	{
		name: "optional + anyPermission, no credentials: the bare 401",
		request: () => get("/g/optional-any"),
		expected: noCredentials(),
	},
	{
		name: "guard-only after a guard: reuses its auth, no second verification",
		request: withToken("POST", "/g/reuse", { permissions: ["write"] }),
		expected: ok({ subject: "user_123", permissions: ["write"] }),
		verifications: 1,
	},
	{
		name: "guard-only after a guard: a missing permission is the 403, still one verification",
		request: withToken("POST", "/g/reuse", { permissions: ["read"] }),
		expected: insufficientScope("write"),
		verifications: 1,
	},
	{
		name: "guard-only after a guard: no credentials is the upstream guard's bare 401",
		request: () => ({ method: "POST", path: "/g/reuse" }),
		expected: noCredentials(),
		verifications: 0,
	},
	{
		name: "guard-only anyPermission after a guard: the 403 lists the alternatives, one verification",
		request: withToken("GET", "/g/reuse-any", { permissions: ["read"] }),
		expected: insufficientScope("admin"),
		verifications: 1,
	},
	{
		name: "requireAuth() with no options after a guard: reuses its auth",
		request: withToken("GET", "/g/reuse-nothing"),
		expected: ok({ subject: "user_123" }),
		verifications: 1,
	},
	{
		name: "guard-only with permissions after an optional guard that found no credentials: the bare 401",
		request: () => get("/g/after-optional"),
		expected: noCredentials(),
		verifications: 0,
	},
	{
		name: "guard-only with permissions after an optional guard, with a token: reused",
		request: withToken("GET", "/g/after-optional", { permissions: ["write"] }),
		expected: ok({ permissions: ["write"] }),
		verifications: 1,
	},
	{
		name: "optional guard-only after an optional guard, no credentials: goes on without auth",
		request: () => get("/g/after-optional-optional"),
		expected: ok(null),
	},
	{
		name: "requireAuth() after an optional guard, no credentials: the bare 401",
		request: () => get("/g/after-optional-plain"),
		expected: noCredentials(),
	},
	{
		name: "guard-only, configured by the environment, nothing before it: verifies",
		request: withToken("GET", "/g/env", { permissions: ["write"] }),
		expected: ok({ permissions: ["write"] }),
	},
	{
		name: "guard-only, configured by the environment, nothing before it: no credentials is the bare 401",
		request: () => get("/g/env"),
		expected: noCredentials(),
	},
	{
		name: "guard-only, nothing configured, nothing before it, a valid token: a programming error",
		request: withToken("POST", "/g/nothing", { permissions: ["write"] }),
		expected: { programmingError: NOTHING_CONFIGURED },
	},
	{
		name: "guard-only, nothing configured, nothing before it, no token: a programming error, not a 401",
		request: () => ({ method: "POST", path: "/g/nothing" }),
		expected: { programmingError: NOTHING_CONFIGURED },
	},
	{
		name: "requireAuth() with nothing at all: a programming error",
		request: withToken("GET", "/g/nothing-at-all"),
		expected: { programmingError: NOTHING_CONFIGURED },
	},
	{
		name: "an auth that bearerguard did not make is not taken for a verified one (guard-only)",
		request: () => get("/g/forged"),
		expected: { programmingError: NOTHING_CONFIGURED },
	},
	{
		name: "requirePermissions after a guard: present",
		request: withToken("DELETE", "/g/permissions", { permissions: ["delete"] }),
		expected: ok({ permissions: ["delete"] }),
	},
	{
		name: "requirePermissions after a guard: missing",
		request: withToken("DELETE", "/g/permissions", { permissions: ["read"] }),
		expected: insufficientScope("delete"),
	},
	{
		name: "requirePermissions with no guard before it, a valid token: a programming error, never a 401",
		request: withToken("DELETE", "/g/permissions-alone", { permissions: ["delete"] }),
		expected: { programmingError: permissionsAlone("delete") },
	},
	{
		name: "requirePermissions with no guard before it, no token: a programming error",
		request: () => ({ method: "DELETE", path: "/g/permissions-alone" }),
		expected: { programmingError: permissionsAlone("delete") },
	},
	{
		name: "requirePermissions after an auth that bearerguard did not make: a programming error",
		request: () => ({ method: "DELETE", path: "/g/permissions-forged" }),
		expected: { programmingError: permissionsAlone("delete") },
	},
];

let fx: Fixture;
let apps: TestApp[];
const requests = new Map<Case, HttpRequest>();

beforeAll(async () => {
	fx = await startFixture();
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, routes(fx));
	for (const c of cases) requests.set(c, await c.request(fx));
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

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s", async (name) => {
		const target = app(name);
		const errorsBefore = target.errors.length;
		const verificationsBefore = verifications;
		const answer = await send(target, requests.get(c)!);
		if ("programmingError" in c.expected) {
			checkProgrammingError(target, answer, errorsBefore, c.expected.programmingError);
			return;
		}
		checkAnswer(answer, c.expected);
		expect(target.errors.length).toBe(errorsBefore);
		if (c.verifications !== undefined) expect(verifications - verificationsBefore).toBe(c.verifications);
	});
});

describe("a plugin-level (app-wide) optional never opens a route that requires permissions", () => {
	let optionalApps: TestApp[];
	beforeAll(async () => {
		optionalApps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience, optional: true }, [
			{ method: "GET", path: "/open" },
			{ method: "POST", path: "/write", auth: { permissions: ["write"] } },
		]);
	});
	afterAll(async () => {
		await Promise.all(optionalApps?.map((each) => each.close()) ?? []);
	});

	it.each(ADAPTERS)("%s", async (name) => {
		const target = optionalApps.find((each) => each.name === name)!;
		checkAnswer(await send(target, { method: "GET", path: "/open" }), ok(null));
		checkAnswer(await send(target, { method: "POST", path: "/write" }), noCredentials());
		const read = await fx.main.sign({ permissions: ["read"] });
		checkAnswer(
			await send(target, { method: "POST", path: "/write", headers: bearer(read) }),
			insufficientScope("write"),
		);
		const write = await fx.main.sign({ permissions: ["write"] });
		checkAnswer(
			await send(target, { method: "POST", path: "/write", headers: bearer(write) }),
			ok({ permissions: ["write"] }),
		);
	});
});
