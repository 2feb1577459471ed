import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../src/index.js";

async function getJson(url: string): Promise<{ status: number; type: string | null; body: unknown }> {
	const response = await fetch(url);
	return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

function originOf(issuer: TestIssuer): string {
	return new URL(issuer.issuer).origin;
}

function expectedMetadata(issuer: TestIssuer, algorithms: string[]): Record<string, unknown> {
	return {
		issuer: issuer.issuer,
		jwks_uri: issuer.jwksUri,
		token_endpoint: `${issuer.issuer}/oauth/token`,
		grant_types_supported: ["client_credentials"],
		response_types_supported: ["token"],
		subject_types_supported: ["public"],
		id_token_signing_alg_values_supported: algorithms,
		token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
		introspection_endpoint: `${issuer.issuer}/oauth/introspect`,
		introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
		dpop_signing_alg_values_supported: [
			"ES256",
			"ES384",
			"ES512",
			"Ed25519",
			"EdDSA",
			"PS256",
			"PS384",
			"PS512",
			"RS256",
			"RS384",
			"RS512",
		],
	};
}

describe("discovery with the defaults", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer();
	});
	afterAll(() => issuer.close());

	it("names a loopback issuer on a random port, without a trailing slash", () => {
		const { port } = new URL(issuer.issuer);
		expect(issuer.issuer).toBe(`http://127.0.0.1:${port}`);
		expect(Number(port)).toBeGreaterThan(0);
		expect(issuer.jwksUri).toBe(`http://127.0.0.1:${port}/.well-known/jwks.json`);
		expect(issuer.audience).toBe("https://api.example.test");
	});

	it("serves the OpenID configuration at {issuer}/.well-known/openid-configuration", async () => {
		const response = await fetch(`${issuer.issuer}/.well-known/openid-configuration`);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("application/json");
		expect(response.headers.get("cache-control")).toBe("max-age=300");
		expect(await response.json()).toEqual(expectedMetadata(issuer, ["RS256"]));
	});

	it("serves the RFC 8414 metadata at {origin}/.well-known/oauth-authorization-server", async () => {
		const result = await getJson(`${originOf(issuer)}/.well-known/oauth-authorization-server`);
		expect(result).toEqual({
			status: 200,
			type: "application/json",
			body: expectedMetadata(issuer, ["RS256"]),
		});
	});

	it("answers every other route with a 404 JSON body", async () => {
		for (const path of [
			"/",
			"/nope",
			"/.well-known/openid-configuration/extra",
			"/.well-known/jwks.json/x",
		]) {
			expect(await getJson(`${originOf(issuer)}${path}`)).toEqual({
				status: 404,
				type: "application/json",
				body: { error: "not_found" },
			});
		}
		const post = await fetch(issuer.jwksUri, { method: "POST" });
		expect(post.status).toBe(404);
		expect(await post.json()).toEqual({ error: "not_found" });
	});

	it("ignores the query string when routing", async () => {
		const result = await getJson(`${issuer.issuer}/.well-known/openid-configuration?x=1`);
		expect(result.status).toBe(200);
	});
});

describe("discovery with an issuerPath", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ issuerPath: "tenant-a/", algorithms: ["ES256", "HS256"] });
	});
	afterAll(() => issuer.close());

	it("appends the normalized path to the issuer and the JWKS URI", () => {
		const origin = originOf(issuer);
		expect(issuer.issuer).toBe(`${origin}/tenant-a`);
		expect(issuer.jwksUri).toBe(`${origin}/.well-known/jwks.json/tenant-a`);
	});

	it("serves OIDC discovery under the issuer and RFC 8414 discovery with the path as suffix", async () => {
		const metadata = expectedMetadata(issuer, ["ES256", "HS256"]);
		expect((await getJson(`${issuer.issuer}/.well-known/openid-configuration`)).body).toEqual(metadata);
		expect(
			(await getJson(`${originOf(issuer)}/.well-known/oauth-authorization-server/tenant-a`)).body,
		).toEqual(metadata);
		expect((await getJson(`${originOf(issuer)}/.well-known/openid-configuration`)).status).toBe(404);
		expect((await getJson(`${originOf(issuer)}/.well-known/oauth-authorization-server`)).status).toBe(404);
	});
});

describe("the discovery option", () => {
	it.each([
		["openid", 200, 404],
		["oauth", 404, 200],
		["both", 200, 200],
		["none", 404, 404],
	] as const)("discovery: %s serves openid %i and oauth %i", async (discovery, openid, oauth) => {
		const issuer = await createTestIssuer({ discovery });
		try {
			const origin = originOf(issuer);
			expect((await fetch(`${origin}/.well-known/openid-configuration`)).status).toBe(openid);
			expect((await fetch(`${origin}/.well-known/oauth-authorization-server`)).status).toBe(oauth);
			expect((await fetch(issuer.jwksUri)).status).toBe(200);
			expect(issuer.requests).toEqual({
				discovery: Number(openid === 200) + Number(oauth === 200),
				jwks: 1,
				introspection: 0,
			});
		} finally {
			await issuer.close();
		}
	});
});
