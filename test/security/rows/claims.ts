import {
	BAD_CLAIM,
	EXPIRED,
	forbidden,
	ISSUED_IN_FUTURE,
	KID_UNKNOWN,
	NO_EXPIRY,
	NOT_YET_VALID,
	ok,
	TOO_OLD,
	TYP,
	WRONG_AUDIENCE,
	WRONG_ISSUER,
} from "../support/answers.js";
import { type AttackRow, bearer, type ConfigName } from "../support/catalog.js";

/**
 * Claims: RFC 8725 §3.8-§3.9 (issuer, audience), RFC 7519 §4.1 (types and times), RFC 9068 §2.2 and
 * §4 (`typ: at+jwt` and its required claims, in strict mode), claims of the wrong JSON type, and the
 * permission claim as a string vs an array. Every token here is signed by the issuer's real key, so
 * only the claim check stands between it and the route.
 */

const now = () => Math.floor(Date.now() / 1000);

/** A row whose token is the issuer's RS256 token with `extra` claims. */
function claimRow(
	name: string,
	expect: AttackRow["expect"],
	extra: () => Record<string, unknown> | string,
	config: ConfigName = "default",
	route = "things",
	header: Record<string, unknown> = {},
): AttackRow {
	return { name, expect, request: (ctx) => bearer(ctx.signed("RS256", extra(), header), config, route) };
}

/** The claims as raw JSON text, to spell numbers JSON.stringify cannot (1e400). */
function rawExp(exp: string): string {
	const t = now();
	return `{"iss":"ISS","sub":"user_123","aud":"AUD","iat":${t},"exp":${exp},"jti":"j-1"}`;
}

const typeRows: AttackRow[] = [
	claimRow('exp as a string ("9999999999")', BAD_CLAIM, () => ({ exp: "9999999999" })),
	claimRow('exp "NaN" spelled out as a string', BAD_CLAIM, () => ({ exp: "NaN" })),
	claimRow("exp as a float an hour ahead (a NumericDate may be fractional): accepted", ok(), () => ({
		exp: now() + 3600.5,
	})),
	claimRow("exp negative (-1): expired", EXPIRED, () => ({ exp: -1 })),
	claimRow("exp 0: expired", EXPIRED, () => ({ exp: 0 })),
	claimRow("exp true", BAD_CLAIM, () => ({ exp: true })),
	claimRow("exp null", BAD_CLAIM, () => ({ exp: null })),
	claimRow("nbf as a string", BAD_CLAIM, () => ({ nbf: "0" })),
	claimRow("iat as an array", BAD_CLAIM, () => ({ iat: [0] })),
	claimRow("sub as a number", BAD_CLAIM, () => ({ sub: 1 })),
	claimRow('sub as an object {"$ne": null}', BAD_CLAIM, () => ({ sub: { $ne: null } })),
	claimRow("jti as a number", BAD_CLAIM, () => ({ jti: 7 })),
	claimRow('aud as an object {"0": audience}', BAD_CLAIM, () => ({ aud: { 0: "https://api.example.test" } })),
	claimRow("aud as an array holding a number", BAD_CLAIM, () => ({ aud: [1, "https://api.example.test"] })),
	claimRow("aud as an empty array", WRONG_AUDIENCE, () => ({ aud: [] })),
	claimRow("aud as an array with another audience first and ours second: accepted", ok(), () => ({
		aud: ["https://other.example", "https://api.example.test"],
	})),
	claimRow(
		'permissions as a space-separated string "read write" (split): accepted on /write',
		ok(["read", "write"]),
		() => ({ permissions: "read write" }),
		"default",
		"write",
	),
	claimRow(
		'permissions as an array ["read", "write"]: accepted on /write',
		ok(["read", "write"]),
		() => ({ permissions: ["read", "write"] }),
		"default",
		"write",
	),
	claimRow(
		'permissions as "readwrite" (no separator): 403 on /write',
		forbidden("write"),
		() => ({ permissions: "readwrite" }),
		"default",
		"write",
	),
	claimRow(
		'permissions ["read"]: 403 on /write',
		forbidden("write"),
		() => ({ permissions: ["read"] }),
		"default",
		"write",
	),
	claimRow(
		"permissions as an array of numbers",
		BAD_CLAIM,
		() => ({ permissions: [1, 2] }),
		"default",
		"write",
	),
	claimRow(
		'permissions as an object {"write": true}',
		BAD_CLAIM,
		() => ({ permissions: { write: true } }),
		"default",
		"write",
	),
	claimRow(
		'scope "write" (OAuth scope string): accepted on /write',
		ok(["write"]),
		() => ({ scope: "write" }),
		"default",
		"write",
	),
	claimRow(
		'roles ["write"] merged with scope "read": accepted on /write',
		ok(["read", "write"]),
		() => ({ scope: "read", roles: ["write"] }),
		"default",
		"write",
	),
];

const issuerAudienceRows: AttackRow[] = [
	{
		name: "exp 1e400 (JSON overflows to Infinity)",
		expect: BAD_CLAIM,
		request: (ctx) =>
			bearer(
				ctx.signed(
					"RS256",
					rawExp("1e400").replace("ISS", ctx.target.issuer).replace("AUD", ctx.target.audience),
				),
			),
	},
	claimRow("expired an hour ago (RFC 7519 §4.1.4)", EXPIRED, () => ({ exp: now() - 3600 })),
	claimRow("expired 2 s ago, within the 5 s clock tolerance: accepted", ok(), () => ({ exp: now() - 2 })),
	claimRow(
		"expired an hour ago, no iat (fast-jwt cache advisory: expired tokens without iat)",
		EXPIRED,
		() => ({ exp: now() - 3600, iat: undefined }),
	),
	claimRow("nbf a minute ahead (RFC 7519 §4.1.5)", NOT_YET_VALID, () => ({ nbf: now() + 60 })),
	claimRow("no exp (requireExpiry)", NO_EXPIRY, () => ({ exp: undefined })),
	claimRow("another audience (RFC 8725 §3.9)", WRONG_AUDIENCE, () => ({ aud: "https://other.example" })),
	claimRow("no aud", WRONG_AUDIENCE, () => ({ aud: undefined })),
	claimRow("another issuer (RFC 8725 §3.8)", WRONG_ISSUER, () => ({ iss: "https://evil.example" })),
	claimRow("no iss", WRONG_ISSUER, () => ({ iss: undefined })),
	{
		name: "iss with a trailing slash added (exact match only)",
		expect: WRONG_ISSUER,
		request: (ctx) => bearer(ctx.signed("RS256", { iss: `${ctx.target.issuer}/` })),
	},
	{
		name: "iss as an array [attacker, ours] (CVE-2025-30144 fast-jwt)",
		expect: WRONG_ISSUER,
		request: (ctx) => bearer(ctx.signed("RS256", { iss: ["https://evil.example", ctx.target.issuer] })),
	},
	{
		name: "iss as an array holding only ours (CVE-2025-30144 fast-jwt)",
		expect: WRONG_ISSUER,
		request: (ctx) => bearer(ctx.signed("RS256", { iss: [ctx.target.issuer] })),
	},
	{
		name: "a token of another issuer that shares our audience (RFC 8725 §3.12)",
		expect: WRONG_ISSUER,
		request: async (ctx) => bearer(await ctx.foreign.sign({ permissions: ["write"] })),
	},
	{
		name: "our iss, signed by another issuer's key under its own kid",
		expect: KID_UNKNOWN,
		request: async (ctx) =>
			bearer(await ctx.foreign.sign({ iss: ctx.target.issuer, permissions: ["write"] })),
	},
];

const strictRows: AttackRow[] = [
	claimRow(
		'RFC 9068: typ "at+jwt" with every required claim: accepted',
		ok(),
		() => ({}),
		"strict",
		"things",
		{ typ: "at+jwt" },
	),
	claimRow('RFC 9068: typ "application/at+jwt": accepted', ok(), () => ({}), "strict", "things", {
		typ: "application/at+jwt",
	}),
	claimRow(
		'RFC 9068: typ "AT+JWT" (media types compare case-insensitively): accepted',
		ok(),
		() => ({}),
		"strict",
		"things",
		{ typ: "AT+JWT" },
	),
	claimRow(
		'RFC 9068 §4: typ "JWT" (an ID token or another kind of JWT; RFC 8725 §3.11)',
		TYP,
		() => ({}),
		"strict",
		"things",
		{ typ: "JWT" },
	),
	claimRow("RFC 9068 §4: no typ", TYP, () => ({}), "strict"),
	claimRow('RFC 9068 §4: typ "at+jwt " (trailing space)', TYP, () => ({}), "strict", "things", {
		typ: "at+jwt ",
	}),
	claimRow("RFC 9068 §4: typ as a number", TYP, () => ({}), "strict", "things", { typ: 1 }),
	...(["client_id", "jti", "iat", "sub", "exp"] as const).map((claim) =>
		claimRow(
			`RFC 9068 §2.2: at+jwt without ${claim}`,
			BAD_CLAIM,
			() => ({ [claim]: undefined }),
			"strict",
			"things",
			{ typ: "at+jwt" },
		),
	),
	claimRow(
		"RFC 9068 §4: at+jwt for another audience",
		WRONG_AUDIENCE,
		() => ({ aud: "https://other.example" }),
		"strict",
		"things",
		{ typ: "at+jwt" },
	),
	claimRow("RFC 9068 §4: at+jwt expired", EXPIRED, () => ({ exp: now() - 60 }), "strict", "things", {
		typ: "at+jwt",
	}),
];

const ageRows: AttackRow[] = [
	claimRow("maxTokenAge 1 h: iat 2 h ago", TOO_OLD, () => ({ iat: now() - 7200 }), "aged"),
	claimRow(
		"maxTokenAge 1 h: iat an hour in the future",
		ISSUED_IN_FUTURE,
		() => ({ iat: now() + 3600 }),
		"aged",
	),
	claimRow("maxTokenAge 1 h: no iat", BAD_CLAIM, () => ({ iat: undefined }), "aged"),
	claimRow("maxTokenAge 1 h: iat a minute ago: accepted", ok(), () => ({ iat: now() - 60 }), "aged"),
];

export const claimRows: AttackRow[] = [...typeRows, ...issuerAudienceRows, ...strictRows, ...ageRows];
