import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDpopKey, createTestIssuer, type TestIssuer } from "../src/index.js";

let issuer: TestIssuer;
let foreign: TestIssuer;

beforeAll(async () => {
	[issuer, foreign] = await Promise.all([
		createTestIssuer({ algorithms: ["ES256", "HS256"], issuerPath: "/tenant-a" }),
		createTestIssuer({ algorithms: ["ES256"] }),
	]);
});
afterAll(() => Promise.all([issuer.close(), foreign.close()]));
afterEach(() => issuer.setIntrospection(undefined));

const FORM = "application/x-www-form-urlencoded";

function basic(id: string, secret: string): string {
	const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
	return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

function introspect(
	token: string,
	init: { authorization?: string | null; extra?: Record<string, string>; target?: TestIssuer } = {},
): Promise<Response> {
	const target = init.target ?? issuer;
	const { clientId, clientSecret } = target.introspectionClient;
	const authorization = init.authorization === undefined ? basic(clientId, clientSecret) : init.authorization;
	const headers: Record<string, string> = { "content-type": FORM };
	if (authorization !== null) headers.authorization = authorization;
	const body = new URLSearchParams({ token, token_type_hint: "access_token", ...init.extra });
	return fetch(target.introspectionEndpoint, { method: "POST", headers, body: body.toString() });
}

async function answer(response: Response): Promise<unknown> {
	expect(response.status).toBe(200);
	expect(response.headers.get("content-type")).toBe("application/json");
	expect(response.headers.get("cache-control")).toBe("no-store");
	return response.json();
}

describe("the endpoint", () => {
	it("is at {issuer}/oauth/introspect and has a client of its own", () => {
		expect(issuer.introspectionEndpoint).toBe(`${issuer.issuer}/oauth/introspect`);
		expect(issuer.introspectionClient.clientId).toMatch(/^rs_[0-9a-f]{16}$/);
		expect(issuer.introspectionClient.clientSecret).toMatch(/^[\w-]{43}$/);
		expect(foreign.introspectionClient).not.toEqual(issuer.introspectionClient);
	});

	it("takes a client given as an option, and its form-encoded credentials in Basic", async () => {
		const custom = await createTestIssuer({
			introspectionClient: { clientId: "my api:1", clientSecret: "pa ss%&=word" },
		});
		try {
			const token = custom.issueOpaqueToken();
			const ok = await introspect(token, {
				target: custom,
				authorization: basic("my api:1", "pa ss%&=word"),
			});
			expect(await answer(ok)).toMatchObject({ active: true });
			const raw = `Basic ${Buffer.from("my api:1:pa ss%&=word").toString("base64")}`;
			expect((await introspect(token, { target: custom, authorization: raw })).status).toBe(401);
		} finally {
			await custom.close();
		}
	});

	it("accepts client_secret_post", async () => {
		const token = issuer.issueOpaqueToken();
		const { clientId, clientSecret } = issuer.introspectionClient;
		const response = await introspect(token, {
			authorization: null,
			extra: { client_id: clientId, client_secret: clientSecret },
		});
		expect(await answer(response)).toMatchObject({ active: true, sub: "user_123" });
	});

	it.each<[string, string | null, Record<string, string>]>([
		["no credentials", null, {}],
		["a wrong secret", "wrong-secret", {}],
		["a wrong client id", "wrong-id", {}],
		["another scheme", "Bearer abc", {}],
		["malformed Basic", "Basic !!!", {}],
		["a wrong posted secret", null, { client_secret: "nope" }],
	])("answers %s with 401 invalid_client and a Basic challenge", async (_case, auth, extra) => {
		const { clientId, clientSecret } = issuer.introspectionClient;
		const authorization =
			auth === "wrong-secret"
				? basic(clientId, `${clientSecret}x`)
				: auth === "wrong-id"
					? basic(`${clientId}x`, clientSecret)
					: auth;
		const postedId: Record<string, string> = "client_secret" in extra ? { client_id: clientId } : {};
		const response = await introspect(issuer.issueOpaqueToken(), {
			authorization,
			extra: { ...postedId, ...extra },
		});
		expect(response.status).toBe(401);
		expect(response.headers.get("www-authenticate")).toBe('Basic realm="introspection"');
		expect(response.headers.get("content-type")).toBe("application/json");
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.text()).toBe('{"error":"invalid_client"}');
	});

	it("refuses two client authentication methods at once with 400", async () => {
		const response = await introspect("x", {
			extra: { client_secret: issuer.introspectionClient.clientSecret },
		});
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({
			error: "invalid_request",
			error_description: "Use one client authentication method, not several.",
		});
	});

	it.each([
		[
			"a JSON body",
			"application/json",
			JSON.stringify({ token: "x" }),
			"Send application/x-www-form-urlencoded.",
		],
		["no token", FORM, "token_type_hint=access_token", "token is required."],
		["an empty token", FORM, "token=", "token is required."],
		["a body over 64 KiB", FORM, `token=${"a".repeat(70_000)}`, "The request body is too large."],
	])("answers %s with 400 invalid_request", async (_case, type, body, description) => {
		const { clientId, clientSecret } = issuer.introspectionClient;
		const response = await fetch(issuer.introspectionEndpoint, {
			method: "POST",
			headers: { "content-type": type, authorization: basic(clientId, clientSecret) },
			body,
		});
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ error: "invalid_request", error_description: description });
	});

	it("is POST only", async () => {
		const response = await fetch(issuer.introspectionEndpoint);
		expect(response.status).toBe(404);
		expect(await response.json()).toEqual({ error: "not_found" });
	});

	it("counts every request, refused and replaced ones included", async () => {
		const before = issuer.requests.introspection;
		await introspect("a");
		await introspect("b", { authorization: null });
		issuer.setIntrospection({ active: true });
		await introspect("c");
		expect(issuer.requests.introspection).toBe(before + 3);
	});
});

describe("opaque tokens", () => {
	it("are 32 random bytes in base64url, not JWT-shaped, and introspect with their claims", async () => {
		const token = issuer.issueOpaqueToken({ scope: "read write", org_id: "org_acme" }, { expiresIn: "10m" });
		expect(token).toMatch(/^[\w-]{43}$/);
		expect(issuer.issueOpaqueToken()).not.toBe(token);
		const body = (await answer(await introspect(token))) as Record<string, unknown>;
		const iat = body.iat as number;
		expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5);
		expect(body).toEqual({
			active: true,
			client_id: "client_123",
			sub: "user_123",
			aud: "https://api.example.test",
			iss: issuer.issuer,
			exp: iat + 600,
			iat,
			token_type: "Bearer",
			scope: "read write",
			org_id: "org_acme",
		});
		expect(Object.keys(body)[0]).toBe("active");
	});

	it("take claim overrides; undefined removes a claim and expiresIn null leaves exp out", async () => {
		const token = issuer.issueOpaqueToken(
			{ client_id: "app_7", aud: ["a", "b"], sub: undefined },
			{ expiresIn: null },
		);
		const body = (await answer(await introspect(token))) as Record<string, unknown>;
		expect(body).toEqual({
			active: true,
			client_id: "app_7",
			aud: ["a", "b"],
			iss: issuer.issuer,
			iat: expect.any(Number),
			token_type: "Bearer",
		});
	});

	it("bound to a DPoP key or a certificate carry cnf (and token_type DPoP for a DPoP key)", async () => {
		const key = await createDpopKey();
		const token = issuer.issueOpaqueToken({}, { dpopKey: key });
		expect(await answer(await introspect(token))).toMatchObject({
			token_type: "DPoP",
			cnf: { jkt: key.jkt },
		});
		const cnfOnly = issuer.issueOpaqueToken({}, { cnf: { "x5t#S256": "abc" } });
		expect(await answer(await introspect(cnfOnly))).toMatchObject({
			token_type: "Bearer",
			cnf: { "x5t#S256": "abc" },
		});
	});

	it("expired, revoked, unknown or another issuer's: only {active:false}", async () => {
		const expired = issuer.issueOpaqueToken({}, { expiresIn: -1 });
		const revoked = issuer.issueOpaqueToken();
		issuer.revoke(revoked);
		for (const token of [expired, revoked, "unknown-token", foreign.issueOpaqueToken(), "a.b", "ey.ey.ey"]) {
			const response = await introspect(token);
			expect(response.status).toBe(200);
			expect(await response.text()).toBe('{"active":false}');
		}
	});

	it("rejects bad input with a TypeError", () => {
		expect(() => issuer.issueOpaqueToken([] as unknown as Record<string, unknown>)).toThrow(
			new TypeError("claims must be a plain object."),
		);
		expect(() => issuer.issueOpaqueToken({}, { expiresIn: "soon" })).toThrow(
			new TypeError("expiresIn must be seconds or a string such as '30s', '10m', '24h' or '2d'."),
		);
		expect(() => issuer.revoke("")).toThrow(new TypeError("token must be a non-empty string."));
	});
});

describe("JWTs", () => {
	it("the issuer signed are active with their claims", async () => {
		const token = await issuer.sign({ scope: "read", org_id: "org_acme" }, { expiresIn: "5m" });
		const body = (await answer(await introspect(token))) as Record<string, unknown>;
		expect(body).toEqual({
			active: true,
			token_type: "Bearer",
			iss: issuer.issuer,
			sub: "user_123",
			aud: "https://api.example.test",
			iat: expect.any(Number),
			exp: (body.iat as number) + 300,
			jti: expect.any(String),
			scope: "read",
			org_id: "org_acme",
		});
	});

	it("signed with the HS secret are active; DPoP-bound ones have token_type DPoP", async () => {
		expect(await answer(await introspect(await issuer.sign({}, { alg: "HS256" })))).toMatchObject({
			active: true,
		});
		const key = await createDpopKey();
		const bound = await issuer.sign({}, { dpopKey: key });
		expect(await answer(await introspect(bound))).toMatchObject({
			active: true,
			token_type: "DPoP",
			cnf: { jkt: key.jkt },
		});
	});

	it("expired, not yet valid, revoked, tampered or another issuer's: only {active:false}", async () => {
		const revoked = await issuer.sign();
		issuer.revoke(revoked);
		const valid = await issuer.sign();
		const [header, payload] = valid.split(".");
		const tampered = `${header}.${payload}.${"A".repeat(86)}`;
		for (const token of [
			await issuer.sign({}, { expiresIn: -10 }),
			await issuer.sign({}, { notBefore: "1h" }),
			revoked,
			tampered,
			await foreign.sign(),
		]) {
			expect(await (await introspect(token)).text()).toBe('{"active":false}');
		}
		expect(await answer(await introspect(valid))).toMatchObject({ active: true });
	});

	it("signed with a key the issuer no longer serves are inactive", async () => {
		const rotating = await createTestIssuer({ algorithms: ["ES256"] });
		try {
			const old = await rotating.sign();
			await rotating.rotateKeys();
			expect(await answer(await introspect(old, { target: rotating }))).toMatchObject({ active: true });
			await rotating.rotateKeys({ keepOld: false });
			expect(await answer(await introspect(old, { target: rotating }))).toEqual({ active: false });
		} finally {
			await rotating.close();
		}
	});
});

describe("setIntrospection()", () => {
	it("serves a string verbatim, with a status and headers, to anyone", async () => {
		issuer.setIntrospection("<html>oops", { status: 500, headers: { "Content-Type": "text/html" } });
		const response = await introspect("x", { authorization: null });
		expect(response.status).toBe(500);
		expect(response.headers.get("content-type")).toBe("text/html");
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.text()).toBe("<html>oops");
		issuer.setIntrospection(undefined);
		expect((await introspect("x", { authorization: null })).status).toBe(401);
	});

	it("serves JSON and huge bodies", async () => {
		issuer.setIntrospection({ active: true, sub: "forged" });
		expect(await answer(await introspect("anything"))).toEqual({ active: true, sub: "forged" });
		const huge = JSON.stringify({ active: true, pad: "x".repeat(5 * 1024 * 1024) });
		issuer.setIntrospection(huge);
		const response = await introspect("x");
		expect(response.headers.get("content-length")).toBe(String(huge.length));
		expect((await response.text()).length).toBe(huge.length);
	});

	it("delays, or never answers with Infinity, and close() still resolves promptly", async () => {
		const hanging = await createTestIssuer();
		try {
			hanging.setIntrospection({ active: false }, { delay: 150 });
			const started = performance.now();
			expect(await (await introspect("x", { target: hanging })).json()).toEqual({ active: false });
			expect(performance.now() - started).toBeGreaterThanOrEqual(140);
			hanging.setIntrospection({ active: false }, { delay: Number.POSITIVE_INFINITY });
			const { clientId, clientSecret } = hanging.introspectionClient;
			const request = fetch(hanging.introspectionEndpoint, {
				method: "POST",
				headers: { "content-type": FORM, authorization: basic(clientId, clientSecret) },
				body: "token=x",
				signal: AbortSignal.timeout(300),
			});
			await expect(request).rejects.toMatchObject({ name: "TimeoutError" });
			const closing = performance.now();
			await hanging.close();
			expect(performance.now() - closing).toBeLessThan(500);
		} finally {
			await hanging.close();
		}
	});

	it("rejects bad options with a TypeError", () => {
		expect(() => issuer.setIntrospection({}, { status: 99 })).toThrow(
			new TypeError("status must be an HTTP status code from 100 to 599."),
		);
		expect(() => issuer.setIntrospection({}, { delay: Number.NaN })).toThrow(
			new TypeError("delay must be a non-negative number of ms (Infinity never answers)."),
		);
		expect(() => issuer.setIntrospection(Symbol("x"))).toThrow(
			new TypeError("The introspection body must be a string or JSON-serializable."),
		);
	});
});
