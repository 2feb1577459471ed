import { calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../src/index.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

async function fetchJwks(issuer: TestIssuer): Promise<{ keys: JWK[] }> {
	return (await fetch(issuer.jwksUri)).json() as Promise<{ keys: JWK[] }>;
}

describe("the served JWKS", () => {
	let issuer: TestIssuer;
	beforeEach(async () => {
		issuer = await createTestIssuer({
			algorithms: ["RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA", "HS256"],
		});
	});
	afterEach(() => issuer.close());

	it("has one public key per asymmetric algorithm, in order, with kid, alg and use", async () => {
		const response = await fetch(issuer.jwksUri);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("application/json");
		expect(response.headers.get("cache-control")).toBe("max-age=300");
		const { keys } = (await response.json()) as { keys: JWK[] };
		expect(keys.map(({ kty, crv, alg, use }) => ({ kty, crv, alg, use }))).toEqual([
			{ kty: "RSA", crv: undefined, alg: "RS256", use: "sig" },
			{ kty: "RSA", crv: undefined, alg: "PS384", use: "sig" },
			{ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" },
			{ kty: "EC", crv: "P-384", alg: "ES384", use: "sig" },
			{ kty: "EC", crv: "P-521", alg: "ES512", use: "sig" },
			{ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" },
		]);
		for (const key of keys) {
			for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
			const { kid, alg, use, ...publicMembers } = key;
			expect(kid).toBe(await calculateJwkThumbprint(publicMembers, "sha256"));
		}
		const rsa = keys[0]!;
		expect(rsa.e).toBe("AQAB");
		expect(Buffer.from(rsa.n!, "base64url")).toHaveLength(256);
	});

	it("equals issuer.jwks, which is a copy", async () => {
		const copy = issuer.jwks;
		expect(await fetchJwks(issuer)).toEqual(copy);
		copy.keys.pop();
		expect(issuer.jwks.keys).toHaveLength(6);
	});

	it("is empty when only HS algorithms are configured", async () => {
		const hsOnly = await createTestIssuer({ algorithms: ["HS256", "HS512"] });
		try {
			expect(await fetchJwks(hsOnly)).toEqual({ keys: [] });
			expect(hsOnly.jwks).toEqual({ keys: [] });
		} finally {
			await hsOnly.close();
		}
	});
});

describe("rotateKeys()", () => {
	let issuer: TestIssuer;
	beforeEach(async () => {
		issuer = await createTestIssuer({ algorithms: ["ES256", "EdDSA"] });
	});
	afterEach(() => issuer.close());

	it("keeps serving the old public keys by default, after the new ones", async () => {
		const before = issuer.jwks.keys;
		const oldToken = await issuer.sign();
		await issuer.rotateKeys();
		const after = await fetchJwks(issuer);
		expect(after.keys).toHaveLength(4);
		expect(after.keys.slice(2)).toEqual(before);
		expect(after.keys.slice(0, 2).map((key) => key.alg)).toEqual(["ES256", "EdDSA"]);
		expect(after.keys[0]!.kid).not.toBe(before[0]!.kid);

		const newToken = await issuer.sign();
		expect(decodeProtectedHeader(newToken).kid).toBe(after.keys[0]!.kid);
		const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
		await expect(jwtVerify(oldToken, jwks)).resolves.toMatchObject({ payload: { sub: "user_123" } });
		await expect(jwtVerify(newToken, jwks)).resolves.toMatchObject({ payload: { sub: "user_123" } });
	});

	it("keeps every earlier key across several rotations", async () => {
		await issuer.rotateKeys();
		await issuer.rotateKeys({ keepOld: true });
		expect(issuer.jwks.keys).toHaveLength(6);
	});

	it("serves only the new keys with keepOld: false", async () => {
		const oldToken = await issuer.sign({}, { alg: "EdDSA" });
		const before = issuer.jwks.keys.map((key) => key.kid);
		await issuer.rotateKeys({ keepOld: false });
		const after = await fetchJwks(issuer);
		expect(after.keys).toHaveLength(2);
		for (const key of after.keys) expect(before).not.toContain(key.kid);
		const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
		await expect(jwtVerify(oldToken, jwks)).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
		await expect(jwtVerify(await issuer.sign({}, { alg: "EdDSA" }), jwks)).resolves.toBeTruthy();
	});

	it("changes publicKey() and privateKey() but not the secret", async () => {
		const publicKey = issuer.publicKey("ES256");
		const privateKey = issuer.privateKey("ES256");
		const secret = issuer.secret;
		await issuer.rotateKeys();
		expect(issuer.publicKey("ES256")).not.toBe(publicKey);
		expect(issuer.privateKey("ES256")).not.toBe(privateKey);
		expect(issuer.secret).toBe(secret);
	});
});

describe("setJwks()", () => {
	let issuer: TestIssuer;
	beforeEach(async () => {
		issuer = await createTestIssuer({ algorithms: ["ES256"] });
	});
	afterEach(() => issuer.close());

	it("serves the given body as JSON until reset with undefined", async () => {
		const real = issuer.jwks;
		issuer.setJwks({ keys: [] });
		const response = await fetch(issuer.jwksUri);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("application/json");
		expect(response.headers.get("cache-control")).toBe("max-age=300");
		expect(await response.text()).toBe('{"keys":[]}');
		expect(issuer.jwks).toEqual(real);

		issuer.setJwks(undefined);
		expect(await fetchJwks(issuer)).toEqual(real);
	});

	it("serves a string verbatim, so that invalid JSON can be served", async () => {
		issuer.setJwks("<html>not json");
		expect(await (await fetch(issuer.jwksUri)).text()).toBe("<html>not json");
		issuer.setJwks(null);
		expect(await (await fetch(issuer.jwksUri)).text()).toBe("null");
	});

	it("takes a status, headers and a delay in ms", async () => {
		issuer.setJwks({ error: "boom" }, { status: 503, headers: { "cache-control": "no-cache" }, delay: 150 });
		const started = performance.now();
		const response = await fetch(issuer.jwksUri);
		expect(performance.now() - started).toBeGreaterThanOrEqual(140);
		expect(response.status).toBe(503);
		expect(response.headers.get("cache-control")).toBe("no-cache");
		expect(await response.json()).toEqual({ error: "boom" });
	});

	it("rejects bad response options with a TypeError", () => {
		expect(() => issuer.setJwks({}, { status: 42 })).toThrow(
			new TypeError("status must be an HTTP status code from 100 to 599."),
		);
		expect(() => issuer.setJwks({}, { delay: -1 })).toThrow(
			new TypeError("delay must be a non-negative number of ms (Infinity never answers)."),
		);
		expect(() => issuer.setJwks(() => 1)).toThrow(
			new TypeError("The JWKS body must be a string or JSON-serializable."),
		);
	});
});

describe("request counters", () => {
	it("count served discovery documents and JWKS responses, replaced ones included", async () => {
		const issuer = await createTestIssuer({ issuerPath: "/t" });
		try {
			const origin = new URL(issuer.issuer).origin;
			expect(issuer.requests).toEqual({ discovery: 0, jwks: 0, introspection: 0 });
			await fetch(`${issuer.issuer}/.well-known/openid-configuration`);
			await fetch(`${origin}/.well-known/oauth-authorization-server/t`);
			await fetch(`${origin}/.well-known/openid-configuration`);
			await fetch(issuer.jwksUri);
			const snapshot = issuer.requests;
			issuer.setJwks({ keys: [] });
			await fetch(issuer.jwksUri);
			await fetch(`${issuer.jwksUri}?again`);
			expect(snapshot).toEqual({ discovery: 2, jwks: 1, introspection: 0 });
			expect(issuer.requests).toEqual({ discovery: 2, jwks: 3, introspection: 0 });
		} finally {
			await issuer.close();
		}
	});
});
