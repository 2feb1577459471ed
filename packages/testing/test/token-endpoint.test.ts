import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../src/index.js";
import { claimsFor } from "../src/lib/token-endpoint.js";

let issuer: TestIssuer;
let tokenEndpoint: string;

beforeAll(async () => {
	issuer = await createTestIssuer({ issuerPath: "/tenant-a" });
	tokenEndpoint = `${issuer.issuer}/oauth/token`;
});
afterAll(() => issuer.close());

function post(body: string, headers: Record<string, string>): Promise<Response> {
	return fetch(tokenEndpoint, { method: "POST", headers, body });
}

const JSON_HEADERS = { "content-type": "application/json" };
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded" };

describe("POST {issuer}/oauth/token", () => {
	it("issues a client-credentials token from a JSON body", async () => {
		const response = await post(
			JSON.stringify({
				grant_type: "client_credentials",
				client_id: "app_1",
				client_secret: "anything",
				scope: "read write",
				organization: "org_abc",
			}),
			JSON_HEADERS,
		);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("application/json");
		expect(response.headers.get("cache-control")).toBe("no-store");
		const body = (await response.json()) as { access_token: string };
		expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600 });

		const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
		const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
			issuer: issuer.issuer,
			audience: issuer.audience,
		});
		expect(protectedHeader.alg).toBe("RS256");
		expect(payload).toEqual({
			iss: issuer.issuer,
			sub: "app_1",
			aud: "https://api.example.test",
			iat: expect.any(Number),
			exp: payload.iat! + 3600,
			jti: expect.any(String),
			client_id: "app_1",
			scope: "read write",
			permissions: ["read", "write"],
			org_id: "org_abc",
		});
	});

	it("issues a token from a form body, with an audience parameter", async () => {
		const form = new URLSearchParams({
			grant_type: "client_credentials",
			client_id: "app_2",
			client_secret: "s3cret",
			scope: "admin",
			audience: "https://api.apiera.io",
		});
		const response = await post(form.toString(), {
			"content-type": "application/x-www-form-urlencoded; charset=utf-8",
		});
		expect(response.status).toBe(200);
		const { access_token: token } = (await response.json()) as { access_token: string };
		expect(decodeJwt(token)).toMatchObject({
			sub: "app_2",
			client_id: "app_2",
			aud: "https://api.apiera.io",
			scope: "admin",
			permissions: ["admin"],
		});
		expect(decodeJwt(token)).not.toHaveProperty("org_id");
	});

	it("takes the client id from HTTP Basic authentication", async () => {
		const response = await post("grant_type=client_credentials", {
			...FORM_HEADERS,
			authorization: `Basic ${Buffer.from("basic%20client:pw").toString("base64")}`,
		});
		const { access_token: token } = (await response.json()) as { access_token: string };
		expect(decodeJwt(token)).toMatchObject({ sub: "basic client", client_id: "basic client" });
	});

	it("accepts a client without any credentials, with the default subject", async () => {
		const response = await post("grant_type=client_credentials", FORM_HEADERS);
		const { access_token: token } = (await response.json()) as { access_token: string };
		const payload = decodeJwt(token);
		expect(payload.sub).toBe("user_123");
		expect(Object.keys(payload)).toEqual(["iss", "sub", "aud", "iat", "exp", "jti"]);
	});

	it("rejects another grant with 400 unsupported_grant_type", async () => {
		for (const response of [
			await post("grant_type=password&username=a&password=b", FORM_HEADERS),
			await post(JSON.stringify({ grant_type: "authorization_code" }), JSON_HEADERS),
		]) {
			expect(response.status).toBe(400);
			expect(response.headers.get("cache-control")).toBe("no-store");
			expect(await response.json()).toEqual({ error: "unsupported_grant_type" });
		}
	});

	it.each([
		["no grant_type", "client_id=x", FORM_HEADERS, "grant_type is required."],
		["invalid JSON", "{", JSON_HEADERS, "The request body is not valid JSON."],
		["a JSON array", "[]", JSON_HEADERS, "The request body must be a JSON object."],
		[
			"another content type",
			"grant_type=client_credentials",
			{ "content-type": "text/plain" },
			"Send application/json or application/x-www-form-urlencoded.",
		],
		[
			"a body over 64 KiB",
			`grant_type=client_credentials&pad=${"a".repeat(70_000)}`,
			FORM_HEADERS,
			"The request body is too large.",
		],
	])("answers %s with 400 invalid_request", async (_case, body, headers, description) => {
		const response = await post(body, headers);
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ error: "invalid_request", error_description: description });
	});

	it("is POST only", async () => {
		const response = await fetch(tokenEndpoint);
		expect(response.status).toBe(404);
		expect(await response.json()).toEqual({ error: "not_found" });
	});
});

describe("claimsFor", () => {
	it("maps the request parameters to claims", () => {
		expect(claimsFor(new Map([["scope", "  read   write "]]))).toEqual({
			scope: "read   write",
			permissions: ["read", "write"],
		});
		expect(claimsFor(new Map())).toEqual({});
	});
});
