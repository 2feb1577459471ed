import { expect } from "vitest";
import {
	BAD_SIGNATURE,
	EXPIRED,
	forbidden,
	HEADER_DUPLICATED,
	HEADER_MALFORMED,
	httpRefusal,
	MALFORMED,
	NO_CREDENTIALS,
	ORGANIZATION,
	ok,
	SEVERAL_PLACES,
} from "../support/answers.js";
import { type AttackContext, type AttackRow, bearer } from "../support/catalog.js";
import type { AttackRequest } from "../support/send.js";

/**
 * How the token travels: RFC 6750 §2.1 (`Authorization: Bearer <token68>`), §2.3 (query), §3 (one
 * method only), bytes no HTTP client sends, the organization header (tenant confusion), optional
 * guards, and the verified-token cache.
 */

const path = "/default/things";
const valid = (ctx: AttackContext) => ctx.signed("RS256");
const header = (authorization: string | string[], raw = false): AttackRequest => ({
	path,
	authorization,
	raw,
});
/** A string whose latin1 code units are the UTF-8 bytes of `text`: what the socket carries. */
const utf8 = (text: string) => Buffer.from(text, "utf8").toString("latin1");

const authorizationRows: AttackRow[] = [
	{
		name: "no Authorization header (RFC 6750 §3: the bare challenge)",
		expect: NO_CREDENTIALS,
		request: () => ({ path }),
	},
	{
		name: "another scheme (Basic): no credentials",
		expect: NO_CREDENTIALS,
		request: () => header("Basic dXNlcjpwYXNz"),
	},
	{ name: '"Bearer" alone', expect: HEADER_MALFORMED, request: () => header("Bearer") },
	{
		name: '"Bearer =" (a token68 needs a character before its padding)',
		expect: HEADER_MALFORMED,
		request: () => header("Bearer ="),
	},
	{
		name: '"Bearer" followed by a tab',
		expect: HEADER_MALFORMED,
		request: (ctx) => header(`Bearer\t${valid(ctx)}`),
	},
	{
		name: '"Bearer" and four spaces: accepted (RFC 7235: 1*SP)',
		expect: ok(),
		request: (ctx) => header(`Bearer    ${valid(ctx)}`),
	},
	{
		name: '"bearer" in lower case: accepted (schemes are case-insensitive)',
		expect: ok(),
		request: (ctx) => header(`bearer ${valid(ctx)}`),
	},
	{
		name: '"BEARER" in upper case: accepted',
		expect: ok(),
		request: (ctx) => header(`BEARER ${valid(ctx)}`),
	},
	{
		name: "a trailing comma after the token",
		expect: HEADER_MALFORMED,
		request: (ctx) => header(`Bearer ${valid(ctx)},`),
	},
	{
		name: 'a second challenge after the token (", Basic abc")',
		expect: HEADER_MALFORMED,
		request: (ctx) => header(`Bearer ${valid(ctx)}, Basic abc`),
	},
	{
		name: "two tokens separated by a space",
		expect: HEADER_MALFORMED,
		request: (ctx) => header(`Bearer ${valid(ctx)} ${valid(ctx)}`),
	},
	{
		name: "trailing spaces and tab (HTTP strips optional whitespace around a field value): accepted",
		expect: ok(),
		request: (ctx) => header(`Bearer ${valid(ctx)} \t `, true),
	},
	{ name: '"Bearer ." (a token68 that is no JWT)', expect: MALFORMED, request: () => header("Bearer .") },
	{
		name: "two Authorization headers, both valid tokens (RFC 6750 §3.1)",
		expect: HEADER_DUPLICATED,
		request: (ctx) => header([`Bearer ${valid(ctx)}`, `Bearer ${valid(ctx)}`]),
	},
	{
		name: "two Authorization headers, Basic then Bearer",
		expect: HEADER_DUPLICATED,
		request: (ctx) => header(["Basic dXNlcjpwYXNz", `Bearer ${valid(ctx)}`]),
	},
	{
		name: "non-ASCII (latin1 bytes) in the token: 400, never a 500",
		expect: HEADER_MALFORMED,
		request: () => header("Bearer t\u00f6k\u00e9n", true),
	},
	{
		name: "UTF-8 bytes of an emoji after a valid token",
		expect: HEADER_MALFORMED,
		request: (ctx) => header(`Bearer ${valid(ctx)}${utf8("🙂")}`, true),
	},
	{
		name: "NUL byte in the header value: refused by Node's HTTP parser",
		expect: httpRefusal(400, "invalid header value character"),
		request: (ctx) => header(`Bearer ${valid(ctx)}\u0000`, true),
	},
	{
		name: "control character 0x01 in the header value: refused by Node's HTTP parser",
		expect: httpRefusal(400, "invalid header value character"),
		request: (ctx) => header(`Bearer \u0001${valid(ctx)}`, true),
	},
	{
		name: "DEL (0x7f) in the header value: refused by Node's HTTP parser",
		expect: httpRefusal(400, "invalid header value character"),
		request: (ctx) => header(`Bearer ${valid(ctx)}\u007f`, true),
	},
	{
		name: "the token in the header and in the query (allowQueryToken; RFC 6750 §3.1: one method only)",
		expect: SEVERAL_PLACES,
		request: (ctx) => ({ ...bearer(valid(ctx), "query"), query: `access_token=${valid(ctx)}` }),
	},
	{
		name: "the token in the query only (allowQueryToken): accepted",
		expect: ok(),
		request: (ctx) => ({ path: "/query/things", query: `access_token=${valid(ctx)}` }),
	},
	{
		name: "access_token twice in the query (allowQueryToken)",
		expect: HEADER_MALFORMED,
		request: (ctx) => ({
			path: "/query/things",
			query: `access_token=${valid(ctx)}&access_token=${valid(ctx)}`,
		}),
	},
	{
		name: "access_token in the query when allowQueryToken is off: ignored, no credentials",
		expect: NO_CREDENTIALS,
		request: (ctx) => ({ path, query: `access_token=${valid(ctx)}` }),
	},
];

const organizationRequest = (token: string, organization?: string): AttackRequest => ({
	...bearer(token, "org"),
	headers: organization === undefined ? {} : { "x-organization-id": organization },
});

const organizationRows: AttackRow[] = [
	{
		name: "organization: token of org_A sent with X-Organization-Id org_B (tenant confusion)",
		expect: ORGANIZATION,
		request: (ctx) => organizationRequest(ctx.signed("RS256", { org_id: "org_A" }), "org_B"),
	},
	{
		name: "organization: token of org_A with X-Organization-Id org_A: accepted",
		expect: ok(),
		request: (ctx) => organizationRequest(ctx.signed("RS256", { org_id: "org_A" }), "org_A"),
	},
	{
		name: "organization: token of org_A without the header: accepted",
		expect: ok(),
		request: (ctx) => organizationRequest(ctx.signed("RS256", { org_id: "org_A" })),
	},
	{
		name: "organization: no org_id claim",
		expect: ORGANIZATION,
		request: (ctx) => organizationRequest(ctx.signed("RS256")),
	},
	{
		name: 'organization: org_id "org_1\' OR 1=1 --" (fails the pattern)',
		expect: ORGANIZATION,
		request: (ctx) =>
			organizationRequest(ctx.signed("RS256", { org_id: "org_1' OR 1=1 --" }), "org_1' OR 1=1 --"),
	},
	{
		name: 'organization: org_id as an array ["org_A"]',
		expect: ORGANIZATION,
		request: (ctx) => organizationRequest(ctx.signed("RS256", { org_id: ["org_A"] }), "org_A"),
	},
];

const guardRows: AttackRow[] = [
	{
		name: "optional guard, no token: goes on anonymous",
		expect: ok([], null),
		request: () => ({ path: "/default/optional" }),
	},
	{
		name: "optional guard, a forged token still fails (koa-jwt passthrough-style bypass)",
		expect: BAD_SIGNATURE,
		request: (ctx) => ({ path: "/default/optional", authorization: `Bearer ${valid(ctx).slice(0, -4)}AAAA` }),
	},
	{
		name: "verified-token cache: a token with the same sub, iat and jti as a cached one but other permissions gets its own (fast-jwt GHSA-rp9m-7r4c-75qg cache-key confusion)",
		expect: forbidden("write"),
		request: (ctx) =>
			bearer(
				ctx.signed("RS256", { jti: "same", iat: 1_700_000_000, permissions: ["read"] }),
				"default",
				"write",
			),
		async before(ctx, _request, send) {
			const twin = ctx.signed("RS256", { jti: "same", iat: 1_700_000_000, permissions: ["write"] });
			expect((await send(bearer(twin, "default", "write"))).status).toBe(200);
		},
	},
	{
		name: "verified-token cache: a cached token still expires (exp re-checked on every hit; clockTolerance 0)",
		expect: EXPIRED,
		request: (ctx) => bearer(ctx.signed("RS256", { exp: Date.now() / 1000 + 0.6 }), "exact"),
		async before(_ctx, request, send) {
			expect((await send(request)).status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 800));
		},
	},
];

export const transportRows: AttackRow[] = [...authorizationRows, ...organizationRows, ...guardRows];
