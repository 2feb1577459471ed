import { describe, expect, it } from "vitest";
import { createVerifier, extractBearerToken, type HeadersLike } from "../../src/index.js";
import { expectRefusal, rejectionOf, thrownBy } from "../support/refusals.js";
import { forge } from "../support/tokens.js";

const JWT_LIKE = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";

describe("extractBearerToken: the Authorization header (RFC 6750 §2.1)", () => {
	it.each([
		["Bearer", `Bearer ${JWT_LIKE}`],
		["bearer", `bearer ${JWT_LIKE}`],
		["BEARER", `BEARER ${JWT_LIKE}`],
		["bEaReR", `bEaReR ${JWT_LIKE}`],
	])("reads the scheme %s in any case", (_scheme, header) => {
		expect(extractBearerToken({ authorization: header })).toBe(JWT_LIKE);
	});

	it.each([
		["two spaces", `Bearer  ${JWT_LIKE}`],
		["five spaces", `Bearer     ${JWT_LIKE}`],
	])("accepts several spaces (1*SP): %s", (_label, header) => {
		expect(extractBearerToken({ authorization: header })).toBe(JWT_LIKE);
	});

	it.each([
		["every token68 character", "Bearer azAZ09-._~+/", "azAZ09-._~+/"],
		["trailing padding", "Bearer abc==", "abc=="],
		["a single character", "Bearer x", "x"],
		["an opaque token", "Bearer mF_9.B5f-4.1JqM", "mF_9.B5f-4.1JqM"],
	])("accepts the token68 grammar: %s", (_label, header, token) => {
		expect(extractBearerToken({ authorization: header })).toBe(token);
	});

	it.each([
		["the scheme alone", "Bearer"],
		["the scheme and a space", "Bearer "],
		["the scheme and spaces", "Bearer    "],
		["a tab instead of a space (1*SP only)", `Bearer\t${JWT_LIKE}`],
		["a tab after the space", `Bearer \t${JWT_LIKE}`],
		["a trailing comma", `Bearer ${JWT_LIKE},`],
		["a trailing space", `Bearer ${JWT_LIKE} `],
		["two tokens", "Bearer abc def"],
		["an auth-param list", 'Bearer token="abc"'],
		["a comma after the scheme", "Bearer, abc"],
		["padding in the middle", "Bearer ab=c"],
		["padding only", "Bearer ="],
		["a character outside token68", "Bearer abc!def"],
		["a non-ASCII character", "Bearer abcé"],
		["a line break", `Bearer ${JWT_LIKE}\r\nX-Injected: 1`],
		["a quoted token", `Bearer "${JWT_LIKE}"`],
		["a lower-case scheme alone", "bearer"],
	])("refuses %s with 400 invalid_request", (_label, header) => {
		expectRefusal(
			thrownBy(() => extractBearerToken({ authorization: header })),
			"authorization_malformed",
		);
	});

	it.each<[string, HeadersLike]>([
		["no Authorization header", {}],
		["an undefined header", { authorization: undefined }],
		["an empty header", { authorization: "" }],
		["an empty list", { authorization: [] }],
		["the Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }],
		["the DPoP scheme", { authorization: `DPoP ${JWT_LIKE}` }],
		["a scheme that merely starts with Bearer", { authorization: `BearerToken ${JWT_LIKE}` }],
		["a token without a scheme", { authorization: JWT_LIKE }],
		["a differently named header", { "x-authorization": `Bearer ${JWT_LIKE}` }],
	])("answers %s with the bare 401 (no credentials)", (_label, headers) => {
		expectRefusal(
			thrownBy(() => extractBearerToken(headers)),
			"token_missing",
		);
	});

	it("refuses a duplicated header (a list of two) with 400", () => {
		expectRefusal(
			thrownBy(() => extractBearerToken({ authorization: [`Bearer ${JWT_LIKE}`, `Bearer ${JWT_LIKE}`] })),
			"authorization_duplicated",
		);
		expectRefusal(
			thrownBy(() => extractBearerToken({ authorization: [`Bearer ${JWT_LIKE}`, "Basic abc"] })),
			"authorization_duplicated",
		);
	});

	it("reads a list of one like a single header", () => {
		expect(extractBearerToken({ authorization: [`Bearer ${JWT_LIKE}`] })).toBe(JWT_LIKE);
	});
});

describe("extractBearerToken: query and form body (RFC 6750 §2.2, §2.3)", () => {
	const FORM = { "content-type": "application/x-www-form-urlencoded" };

	it("reads access_token from the query when the query is given", () => {
		expect(extractBearerToken({}, { query: { access_token: JWT_LIKE } })).toBe(JWT_LIKE);
	});

	it("reads access_token from a form-encoded body", () => {
		expect(extractBearerToken(FORM, { body: { access_token: JWT_LIKE } })).toBe(JWT_LIKE);
		expect(
			extractBearerToken(
				{ "content-type": "Application/X-WWW-Form-URLEncoded; charset=UTF-8" },
				{ body: { access_token: JWT_LIKE } },
			),
		).toBe(JWT_LIKE);
	});

	it.each<[string, HeadersLike]>([
		["a JSON body", { "content-type": "application/json" }],
		["a multipart body", { "content-type": "multipart/form-data; boundary=x" }],
		["a text body", { "content-type": "text/plain" }],
		["no content type", {}],
	])("ignores access_token in %s (the form content type is required)", (_label, headers) => {
		expectRefusal(
			thrownBy(() => extractBearerToken(headers, { body: { access_token: JWT_LIKE } })),
			"token_missing",
		);
	});

	it.each<[string, HeadersLike, { query?: unknown; body?: unknown }]>([
		["header and query", { authorization: `Bearer ${JWT_LIKE}` }, { query: { access_token: JWT_LIKE } }],
		[
			"header and body",
			{ authorization: `Bearer ${JWT_LIKE}`, ...FORM },
			{ body: { access_token: JWT_LIKE } },
		],
		["query and body", FORM, { query: { access_token: JWT_LIKE }, body: { access_token: JWT_LIKE } }],
		["two different tokens", { authorization: "Bearer abc" }, { query: { access_token: "def" } }],
	])("refuses a token sent by two methods (%s) with 400", (_label, headers, sources) => {
		expectRefusal(
			thrownBy(() => extractBearerToken(headers, sources)),
			"token_in_several_places",
		);
	});

	it.each([
		["a repeated parameter (a list)", [JWT_LIKE, JWT_LIKE]],
		["an empty value", ""],
		["a value with a space", "abc def"],
		["a number", 42],
		["an object", { token: JWT_LIKE }],
	])("refuses access_token as %s with 400", (_label, value) => {
		expectRefusal(
			thrownBy(() => extractBearerToken({}, { query: { access_token: value } })),
			"authorization_malformed",
		);
	});

	it.each([
		["no query", undefined],
		["a string query", "access_token=abc"],
		["null", null],
		["a query without access_token", { page: "2" }],
	])("answers the bare 401 with %s", (_label, query) => {
		expectRefusal(
			thrownBy(() => extractBearerToken({}, { query })),
			"token_missing",
		);
	});

	it("still applies the header rules when other sources are given", () => {
		expectRefusal(
			thrownBy(() => extractBearerToken({ authorization: "Bearer" }, { query: { access_token: JWT_LIKE } })),
			"authorization_malformed",
		);
		expect(extractBearerToken({ authorization: "Basic abc" }, { query: { access_token: JWT_LIKE } })).toBe(
			JWT_LIKE,
		);
	});
});

describe("query and body tokens are opt-in on the verifier", () => {
	const secret = "0123456789abcdef0123456789abcdef";
	const token = forge({ alg: "HS256" }, { iss: "iss", aud: "aud", exp: 4e9, sub: "u1" }, Buffer.from(secret));
	const FORM = { "content-type": "application/x-www-form-urlencoded" };

	it("ignores the query and the body by default", async () => {
		const guard = createVerifier({ issuer: "iss", audience: "aud", secret }).guard();
		expectRefusal(await rejectionOf(guard({ headers: {}, query: { access_token: token } })), "token_missing");
		expectRefusal(
			await rejectionOf(guard({ headers: FORM, body: { access_token: token } })),
			"token_missing",
		);
		// And so a header plus a query token is not "two methods" when the query is not read.
		const auth = await guard({
			headers: { authorization: `Bearer ${token}` },
			query: { access_token: token },
		});
		expect(auth?.subject).toBe("u1");
	});

	it("reads the query with allowQueryToken, and not the body", async () => {
		const guard = createVerifier({ issuer: "iss", audience: "aud", secret, allowQueryToken: true }).guard();
		expect((await guard({ headers: {}, query: { access_token: token } }))?.subject).toBe("u1");
		expectRefusal(
			await rejectionOf(guard({ headers: FORM, body: { access_token: token } })),
			"token_missing",
		);
		expectRefusal(
			await rejectionOf(
				guard({ headers: { authorization: `Bearer ${token}` }, query: { access_token: token } }),
			),
			"token_in_several_places",
		);
	});

	it("reads a form body with allowBodyToken, and not the query", async () => {
		const guard = createVerifier({ issuer: "iss", audience: "aud", secret, allowBodyToken: true }).guard();
		expect((await guard({ headers: FORM, body: { access_token: token } }))?.subject).toBe("u1");
		expectRefusal(
			await rejectionOf(
				guard({ headers: { "content-type": "application/json" }, body: { access_token: token } }),
			),
			"token_missing",
		);
		expectRefusal(await rejectionOf(guard({ headers: {}, query: { access_token: token } })), "token_missing");
	});

	it("refuses a token in both when both are allowed", async () => {
		const guard = createVerifier({
			issuer: "iss",
			audience: "aud",
			secret,
			allowQueryToken: true,
			allowBodyToken: true,
		}).guard();
		expectRefusal(
			await rejectionOf(
				guard({ headers: FORM, query: { access_token: token }, body: { access_token: token } }),
			),
			"token_in_several_places",
		);
	});

	it("lets an optional guard go on without credentials, but not with bad ones", async () => {
		const guard = createVerifier({ issuer: "iss", audience: "aud", secret }).guard({ optional: true });
		expect(await guard({ headers: {} })).toBeUndefined();
		expect(await guard({ headers: { authorization: "Basic abc" } })).toBeUndefined();
		expectRefusal(
			await rejectionOf(guard({ headers: { authorization: "Bearer" } })),
			"authorization_malformed",
		);
		expectRefusal(await rejectionOf(guard({ headers: { authorization: "Bearer abc" } })), "token_malformed");
	});
});
