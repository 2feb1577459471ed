/**
 * The `bearerguard:authenticate` event of every reason, through every adapter, field by field: one
 * event per request, published from the core, the same whichever framework answered.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS, type ErrorReason } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { type HttpRequest, send } from "../support/http.js";

let fx: Fixture;
let mismatch: TestIssuer;
let closedJwks: string;
let apps: TestApp[];
const events: AuthenticateEvent[] = [];
const listener = (message: unknown) => events.push(message as AuthenticateEvent);

async function closedPort(): Promise<string> {
	const issuer = await createTestIssuer();
	const url = issuer.jwksUri;
	await issuer.close();
	return url;
}

function routes(): RouteSpec[] {
	const { main, down } = fx;
	const own = { issuer: main.issuer, audience: main.audience };
	return [
		{ method: "GET", path: "/p" },
		{ method: "GET", path: "/w", auth: { permissions: ["write"] } },
		{ method: "GET", path: "/opt", auth: { optional: true } },
		{ method: "GET", path: "/q", auth: { allowQueryToken: true } },
		{ method: "GET", path: "/org", auth: { organization: { header: "x-organization-id" } } },
		{ method: "GET", path: "/typ", auth: { typ: "at+jwt" } },
		{ method: "GET", path: "/age", auth: { maxTokenAge: 60 } },
		{ method: "GET", path: "/short", auth: { maxTokenLength: 100 } },
		{ method: "GET", path: "/validate", auth: { validate: () => false } },
		{ method: "GET", path: "/revoked", auth: { isRevoked: () => true } },
		{
			method: "GET",
			path: "/revthrow",
			auth: {
				isRevoked: () => {
					throw new Error("the revocation store is down");
				},
			},
		},
		{
			method: "GET",
			path: "/down",
			standalone: true,
			auth: { issuer: down.issuer, audience: down.audience },
		},
		{
			method: "GET",
			path: "/mismatch",
			standalone: true,
			auth: { issuer: `${mismatch.issuer}/`, audience: main.audience },
		},
		{ method: "GET", path: "/jwksdown", standalone: true, auth: { ...own, jwksUri: closedJwks } },
	];
}

beforeAll(async () => {
	fx = await startFixture();
	mismatch = await createTestIssuer({ audience: fx.main.audience });
	closedJwks = await closedPort();
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, routes());
	subscribe(CHANNELS.authenticate, listener);
});
afterAll(async () => {
	unsubscribe(CHANNELS.authenticate, listener);
	await Promise.all(apps.map((app) => app.close()));
	await Promise.all([fx.close(), mismatch.close()]);
});

interface Expected {
	readonly outcome: AuthenticateEvent["outcome"];
	readonly reason?: ErrorReason;
	readonly status?: number;
	readonly scheme?: "Bearer";
	readonly issuer?: "main" | "down" | "mismatch/";
	readonly subject?: string;
}

interface Case {
	readonly name: string;
	/** Built afresh for every adapter, so every token is seen for the first time (no cache hit). */
	readonly request: () => Promise<HttpRequest>;
	readonly expected: Expected;
}

const get = (path: string, headers?: HttpRequest["headers"]): HttpRequest => ({
	method: "GET",
	path,
	headers,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const main = () => fx.main;
const refused = (
	reason: ErrorReason,
	status: number,
	issuer?: Expected["issuer"],
	scheme?: "Bearer",
): Expected => ({
	outcome: status === 503 ? "unavailable" : "refused",
	reason,
	status,
	scheme,
	issuer,
});
const byMain = (reason: ErrorReason, status = 401) => refused(reason, status, "main", "Bearer");

const cases: readonly Case[] = [
	{
		name: "authenticated",
		request: async () => get("/p", bearer(await main().sign({ sub: "user_7" }))),
		expected: { outcome: "authenticated", scheme: "Bearer", issuer: "main", subject: "user_7" },
	},
	{
		name: "anonymous (optional, no credentials)",
		request: async () => get("/opt"),
		expected: { outcome: "anonymous" },
	},
	{ name: "token_missing", request: async () => get("/p"), expected: refused("token_missing", 401) },
	{
		name: "token_missing (Basic)",
		request: async () => get("/p", { authorization: "Basic dXNlcjpwYXNz" }),
		expected: refused("token_missing", 401),
	},
	{
		name: "authorization_malformed",
		request: async () => get("/p", { authorization: "Bearer abc def" }),
		expected: refused("authorization_malformed", 400, undefined, "Bearer"),
	},
	{
		name: "authorization_duplicated",
		request: async () => {
			const token = await main().sign();
			return get("/p", { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
		},
		expected: refused("authorization_duplicated", 400),
	},
	{
		name: "token_in_several_places",
		request: async () => {
			const token = await main().sign();
			return get(`/q?access_token=${token}`, bearer(token));
		},
		expected: refused("token_in_several_places", 400),
	},
	{
		name: "token_too_long",
		request: async () => get("/short", bearer(await main().sign())),
		expected: byMain("token_too_long"),
	},
	{
		name: "token_malformed",
		request: async () => get("/p", bearer("a.b.c")),
		expected: refused("token_malformed", 401, undefined, "Bearer"),
	},
	{
		name: "alg_not_allowed",
		request: async () => get("/p", bearer(await main().sign({}, { alg: "HS256" }))),
		expected: byMain("alg_not_allowed"),
	},
	{
		name: "crit_unsupported",
		request: async () => get("/p", bearer(await main().sign({}, { header: { crit: ["exp"], exp: 1 } }))),
		expected: byMain("crit_unsupported"),
	},
	{
		name: "typ_mismatch",
		request: async () => get("/typ", bearer(await main().sign({}, { header: { typ: "JWT" } }))),
		expected: byMain("typ_mismatch"),
	},
	{
		name: "kid_unknown",
		request: async () => get("/p", bearer(await main().sign({}, { kid: "retired" }))),
		expected: byMain("kid_unknown"),
	},
	{
		name: "signature_invalid",
		request: async () => {
			const [a, b] = await Promise.all([main().sign({ sub: "a" }), main().sign({ sub: "b" })]);
			return get("/p", bearer(`${a.slice(0, a.lastIndexOf("."))}${b.slice(b.lastIndexOf("."))}`));
		},
		expected: byMain("signature_invalid"),
	},
	{
		name: "claim_invalid",
		request: async () => get("/p", bearer(await main().sign({ permissions: { admin: true } }))),
		expected: byMain("claim_invalid"),
	},
	{
		name: "issuer_mismatch",
		request: async () => get("/p", bearer(await fx.other.sign())),
		expected: refused("issuer_mismatch", 401, undefined, "Bearer"),
	},
	{
		name: "audience_mismatch",
		request: async () => get("/p", bearer(await main().sign({ aud: "https://else.example" }))),
		expected: byMain("audience_mismatch"),
	},
	{
		name: "token_expired",
		request: async () => get("/p", bearer(await main().sign({}, { expiresIn: -60 }))),
		expected: byMain("token_expired"),
	},
	{
		name: "expiry_missing",
		request: async () => get("/p", bearer(await main().sign({}, { expiresIn: null }))),
		expected: byMain("expiry_missing"),
	},
	{
		name: "not_yet_valid",
		request: async () => get("/p", bearer(await main().sign({}, { notBefore: 3600 }))),
		expected: byMain("not_yet_valid"),
	},
	{
		name: "token_too_old",
		request: async () =>
			get("/age", bearer(await main().sign({}, { iat: Math.floor(Date.now() / 1000) - 600 }))),
		expected: byMain("token_too_old"),
	},
	{
		name: "issued_in_future",
		request: async () =>
			get("/age", bearer(await main().sign({}, { iat: Math.floor(Date.now() / 1000) + 600 }))),
		expected: byMain("issued_in_future"),
	},
	{
		name: "validation_failed",
		request: async () => get("/validate", bearer(await main().sign())),
		expected: byMain("validation_failed"),
	},
	{
		name: "revoked",
		request: async () => get("/revoked", bearer(await main().sign())),
		expected: byMain("revoked"),
	},
	{
		name: "revocation_check_failed",
		request: async () => get("/revthrow", bearer(await main().sign())),
		expected: byMain("revocation_check_failed", 503),
	},
	{
		name: "organization_invalid",
		request: async () => get("/org", bearer(await main().sign())),
		expected: byMain("organization_invalid", 400),
	},
	{
		name: "organization_mismatch",
		request: async () =>
			get("/org", { ...bearer(await main().sign({ org_id: "org_a" })), "x-organization-id": "org_b" }),
		expected: byMain("organization_mismatch", 400),
	},
	{
		name: "insufficient_scope",
		request: async () => get("/w", bearer(await main().sign({ permissions: ["read"] }))),
		expected: byMain("insufficient_scope", 403),
	},
	{
		name: "discovery_failed",
		request: async () => get("/down", bearer(fx.down.token)),
		expected: refused("discovery_failed", 503, "down", "Bearer"),
	},
	{
		name: "discovery_issuer_mismatch",
		request: async () => get("/mismatch", bearer(await mismatch.sign({ iss: `${mismatch.issuer}/` }))),
		expected: refused("discovery_issuer_mismatch", 503, "mismatch/", "Bearer"),
	},
	{
		name: "jwks_unavailable",
		request: async () => get("/jwksdown", bearer(await main().sign())),
		expected: byMain("jwks_unavailable", 503),
	},
];

function issuerOf(name: Expected["issuer"]): string | undefined {
	if (name === "main") return fx.main.issuer;
	if (name === "down") return fx.down.issuer;
	if (name === "mismatch/") return `${mismatch.issuer}/`;
	return undefined;
}

const ERROR_NAMES: Record<number, string> = {
	400: "InvalidRequestError",
	401: "InvalidTokenError",
	403: "InsufficientScopeError",
	503: "TemporarilyUnavailableError",
};

describe.each(ADAPTERS)("%s", (adapter) => {
	const app = () => apps.find((found) => found.name === adapter) as TestApp;

	it.each(cases)("publishes one event for $name, field by field", async ({ request, expected }) => {
		const built = await request();
		events.length = 0;
		const answer = await send(app(), built);
		expect(events).toHaveLength(1);
		const event = events[0] as AuthenticateEvent;
		const authenticated = expected.outcome === "authenticated";
		expect(answer.status).toBe(expected.status ?? 200);
		expect({ ...event, duration: 0, error: event.error?.name }).toEqual({
			outcome: expected.outcome,
			reason: expected.reason,
			status: expected.status,
			scheme: expected.scheme,
			source: authenticated ? "jwt" : undefined,
			issuer: issuerOf(expected.issuer),
			subject: expected.subject,
			cacheHit: false,
			duration: 0,
			error: expected.status === undefined ? undefined : ERROR_NAMES[expected.status],
		});
		expect(event.duration).toBeGreaterThanOrEqual(0);
		expect(event.duration).toBeLessThan(10_000);
		if (event.error !== undefined) expect((event.error as { reason?: string }).reason).toBe(expected.reason);
	});

	it("says cacheHit once the token is cached (from its second verification, answered on the third)", async () => {
		const token = await fx.main.sign({ sub: `cache_${adapter}` });
		events.length = 0;
		for (let i = 0; i < 3; i++) expect((await send(app(), get("/p", bearer(token)))).status).toBe(200);
		expect(events.map((event) => [event.outcome, event.cacheHit])).toEqual([
			["authenticated", false],
			["authenticated", false],
			["authenticated", true],
		]);
	});
});
