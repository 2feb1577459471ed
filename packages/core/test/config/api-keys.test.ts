import { describe, expect, it } from "vitest";
import { recordProblem, resolveApiKeys } from "../../src/config/api-keys.js";
import type { ApiKeysOptions } from "../../src/index.js";
import { createVerifier, hashApiKey } from "../../src/index.js";
import { thrownBy } from "../support/refusals.js";

const HASH = hashApiKey("bgk_example");
const record = { hash: HASH, subject: "svc_reports", permissions: ["read"] };
const lookup = () => undefined;

describe("resolveApiKeys", () => {
	it("is off without apiKeys", () => {
		expect(resolveApiKeys(undefined)).toBeUndefined();
		expect(createVerifier({ issuer: "https://i.example/", audience: "a" }).options.apiKeys).toBeUndefined();
	});

	it("applies the defaults: x-api-key, no query, the bearerguard format, a 10,000-entry 60 s cache, 5 s, no deprecation", () => {
		const resolved = resolveApiKeys({ keys: [record] });
		expect(resolved).toEqual({
			header: "x-api-key",
			query: undefined,
			records: new Map([[HASH, record]]),
			lookup: undefined,
			formats: ["bearerguard"],
			cache: { max: 10_000, maxAge: 60 },
			timeout: 5,
			answerHeaders: undefined,
		});
		expect(Object.isFrozen(resolved)).toBe(true);
	});

	it("lower-cases the header and takes a query parameter, formats, cache settings and a timeout", () => {
		const resolved = resolveApiKeys({
			header: "X-Legacy-Key",
			query: "api_key",
			lookup,
			format: ["bearerguard", /^sk_[a-z]+$/],
			cache: { max: 5, maxAge: "10m" },
			timeout: "500ms",
		});
		expect(resolved?.header).toBe("x-legacy-key");
		expect(resolved?.query).toBe("api_key");
		expect(resolved?.formats).toEqual(["bearerguard", /^sk_[a-z]+$/]);
		expect(resolved?.cache).toEqual({ max: 5, maxAge: 600 });
		expect(resolved?.timeout).toBe(0.5);
		expect(resolveApiKeys({ lookup, cache: false })?.cache).toBeUndefined();
	});

	it("writes the deprecation headers: Deprecation @seconds (RFC 9745), Sunset as an HTTP-date, Link rel=deprecation", () => {
		expect(
			resolveApiKeys({
				lookup,
				deprecation: {
					since: "2026-01-01T00:00:00Z",
					sunset: new Date("2027-01-01T00:00:00Z"),
					link: "https://developer.example.com/migrate to oauth",
				},
			})?.answerHeaders,
		).toEqual({
			deprecation: "@1767225600",
			sunset: "Fri, 01 Jan 2027 00:00:00 GMT",
			link: '<https://developer.example.com/migrate%20to%20oauth>; rel="deprecation"; type="text/html"',
		});
		expect(resolveApiKeys({ lookup, deprecation: {} })?.answerHeaders).toEqual({ deprecation: "@0" });
	});

	it.each<[string, ApiKeysOptions | unknown, string]>([
		["not an object", "x-api-key", '"apiKeys" must be an object such as { keys: [...] } or { lookup }.'],
		[
			"neither keys nor lookup",
			{},
			'"apiKeys" needs "keys" (records { hash, subject, permissions }) or "lookup" (hash) => record.',
		],
		[
			"an empty list and no lookup",
			{ keys: [] },
			'"apiKeys" needs "keys" (records { hash, subject, permissions }) or "lookup" (hash) => record.',
		],
		[
			"keys not a list",
			{ keys: record },
			'"apiKeys.keys" must be an array of records { hash, subject, permissions }.',
		],
		[
			"a key in clear",
			{ keys: [{ ...record, hash: "bgk_example" }] },
			'"apiKeys.keys[0]": hash must be the lowercase hex SHA-256 of the key (64 characters, as hashApiKey(key) returns).',
		],
		[
			"an upper-case hash",
			{ keys: [{ ...record, hash: HASH.toUpperCase() }] },
			'"apiKeys.keys[0]": hash must be the lowercase hex SHA-256 of the key (64 characters, as hashApiKey(key) returns).',
		],
		[
			"no subject",
			{ keys: [{ ...record, subject: "" }] },
			'"apiKeys.keys[0]": subject must be a non-empty string.',
		],
		[
			"a permission with a space",
			{ keys: [{ ...record, permissions: ["read write"] }] },
			'"apiKeys.keys[0]": permissions must be an array of permission names (no spaces, quotes or backslashes).',
		],
		[
			"an empty organization",
			{ keys: [{ ...record, organization: "" }] },
			'"apiKeys.keys[0]": organization must be a non-empty string when given.',
		],
		[
			"an invalid expiry",
			{ keys: [{ ...record, expiresAt: new Date("soon") }] },
			'"apiKeys.keys[0]": expiresAt must be a valid Date when given.',
		],
		[
			"a name that is not a string",
			{ keys: [{ ...record, name: 7 }] },
			'"apiKeys.keys[0]": name must be a string when given.',
		],
		[
			"a hash twice",
			{ keys: [record, { ...record, subject: "other" }] },
			'"apiKeys.keys[1]" has the same hash as an earlier record.',
		],
		["lookup not a function", { lookup: {} }, '"apiKeys.lookup" must be a function (hash) => record.'],
		[
			"the Authorization header",
			{ lookup, header: "Authorization" },
			'"apiKeys.header" must be an HTTP header name other than Authorization, such as "x-api-key".',
		],
		[
			"a header name with a space",
			{ lookup, header: "x api key" },
			'"apiKeys.header" must be an HTTP header name other than Authorization, such as "x-api-key".',
		],
		[
			"query access_token",
			{ lookup, query: "access_token" },
			'"apiKeys.query" must be a query parameter name such as "api_key" (not "access_token").',
		],
		[
			"an empty query name",
			{ lookup, query: "" },
			'"apiKeys.query" must be a query parameter name such as "api_key" (not "access_token").',
		],
		[
			"an unknown format",
			{ lookup, format: "uuid" },
			"\"apiKeys.format\" must be 'bearerguard', 'any', a RegExp, or a list of them.",
		],
		["no format", { lookup, format: [] }, '"apiKeys.format" must name at least one format.'],
		[
			"a global RegExp",
			{ lookup, format: /^k_/g },
			'"apiKeys.format" must not use the g or y flag (it keeps state).',
		],
		["cache.max 0", { lookup, cache: { max: 0 } }, '"apiKeys.cache.max" must be a whole number >= 1.'],
		["cache true", { lookup, cache: true }, '"apiKeys.cache" must be false or an object { max, maxAge }.'],
		[
			"a bad timeout",
			{ lookup, timeout: "soon" },
			"\"apiKeys.timeout\" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.",
		],
		[
			"a bad sunset",
			{ lookup, deprecation: { sunset: "next year" } },
			'"apiKeys.deprecation.sunset" must be a Date or an ISO 8601 date string such as "2027-01-01".',
		],
		[
			"a relative link",
			{ lookup, deprecation: { link: "/docs/oauth" } },
			'"apiKeys.deprecation.link" must be an absolute http(s) URL of your migration guide.',
		],
		[
			"a javascript: link",
			{ lookup, deprecation: { link: "javascript:alert(1)" } },
			'"apiKeys.deprecation.link" must be an absolute http(s) URL of your migration guide.',
		],
	])("refuses %s with a TypeError that says what to fix", (_name, options, message) => {
		expect(thrownBy(() => resolveApiKeys(options as ApiKeysOptions))).toEqual(
			new TypeError(`bearerguard: ${message}`),
		);
		expect(
			thrownBy(() =>
				createVerifier({ issuer: "https://i.example/", audience: "a", apiKeys: options as ApiKeysOptions }),
			),
		).toEqual(new TypeError(`bearerguard: ${message}`));
	});
});

describe("recordProblem", () => {
	it("accepts a full record and extra fields of the user's own", () => {
		expect(
			recordProblem({
				...record,
				organization: "org_acme",
				expiresAt: new Date(),
				name: "export",
				tier: "pro",
			}),
		).toBeUndefined();
	});

	it("names the first problem", () => {
		expect(recordProblem(null)).toBe("a record must be an object { hash, subject, permissions, ... }");
		expect(recordProblem([record])).toBe("a record must be an object { hash, subject, permissions, ... }");
		expect(recordProblem({ ...record, permissions: "read" })).toBe(
			"permissions must be an array of permission names (no spaces, quotes or backslashes)",
		);
	});
});
