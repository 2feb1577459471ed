import { KeyObject } from "node:crypto";
import {
	createRemoteJWKSet,
	decodeJwt,
	decodeProtectedHeader,
	errors,
	type JWTVerifyGetKey,
	jwtVerify,
	SignJWT,
} from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from "../src/index.js";

const NOW = 1_900_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ASYMMETRIC: TestAlgorithm[] = [
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
];
const SYMMETRIC: TestAlgorithm[] = ["HS256", "HS384", "HS512"];

let issuer: TestIssuer;
let jwks: JWTVerifyGetKey;

beforeAll(async () => {
	issuer = await createTestIssuer({ algorithms: [...ASYMMETRIC, ...SYMMETRIC] });
	jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
});
afterAll(() => issuer.close());
beforeEach(() => {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(NOW * 1000);
});
afterEach(() => {
	vi.useRealTimers();
});

function kidOf(alg: TestAlgorithm): string | undefined {
	return issuer.jwks.keys.find((key) => key.alg === alg)?.kid;
}

describe("sign() defaults", () => {
	it.each(ASYMMETRIC)("%s: verifies against the served JWKS with the default claims", async (alg) => {
		const token = await issuer.sign({}, { alg });
		const { payload, protectedHeader } = await jwtVerify(token, jwks, {
			issuer: issuer.issuer,
			audience: "https://api.example.test",
			algorithms: [alg],
		});
		expect(protectedHeader).toEqual({ alg, kid: kidOf(alg) });
		expect(payload).toEqual({
			iss: issuer.issuer,
			sub: "user_123",
			aud: "https://api.example.test",
			iat: NOW,
			exp: NOW + 3600,
			jti: expect.stringMatching(UUID),
		});
	});

	it.each(SYMMETRIC)("%s: verifies with the shared secret and has no kid", async (alg) => {
		const token = await issuer.sign({}, { alg });
		const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(issuer.secret), {
			algorithms: [alg],
		});
		expect(protectedHeader).toEqual({ alg });
		expect(payload).toMatchObject({ iss: issuer.issuer, sub: "user_123", iat: NOW, exp: NOW + 3600 });
	});

	it("uses the first configured algorithm and a fresh jti per token", async () => {
		const first = await issuer.sign();
		const second = await issuer.sign();
		expect(decodeProtectedHeader(first)).toEqual({ alg: "RS256", kid: kidOf("RS256") });
		expect(decodeJwt(first).jti).not.toBe(decodeJwt(second).jti);
	});

	it("exposes a 64-byte base64url secret", () => {
		expect(issuer.secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
		expect(Buffer.from(issuer.secret, "base64url")).toHaveLength(64);
	});
});

describe("sign() options", () => {
	it.each([
		[60, NOW + 60],
		["30s", NOW + 30],
		["10m", NOW + 600],
		["24h", NOW + 86_400],
		["2d", NOW + 172_800],
	] as const)("expiresIn %j sets exp to %i", async (expiresIn, exp) => {
		expect(decodeJwt(await issuer.sign({}, { expiresIn })).exp).toBe(exp);
	});

	it.each([null, false] as const)("expiresIn %j leaves exp out", async (expiresIn) => {
		const payload = decodeJwt(await issuer.sign({}, { expiresIn }));
		expect(payload).not.toHaveProperty("exp");
		expect(Object.keys(payload)).toEqual(["iss", "sub", "aud", "iat", "jti"]);
	});

	it("a negative expiresIn mints an expired token", async () => {
		const token = await issuer.sign({}, { expiresIn: "-1m" });
		expect(decodeJwt(token).exp).toBe(NOW - 60);
		await expect(jwtVerify(token, jwks)).rejects.toMatchObject({
			code: "ERR_JWT_EXPIRED",
			message: '"exp" claim timestamp check failed',
		});
	});

	it("notBefore sets nbf relative to now", async () => {
		const token = await issuer.sign({}, { notBefore: "5m" });
		expect(decodeJwt(token).nbf).toBe(NOW + 300);
		await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
		expect(decodeJwt(await issuer.sign({}, { notBefore: -10 })).nbf).toBe(NOW - 10);
	});

	it("iat overrides the issued-at time while exp stays relative to now", async () => {
		const payload = decodeJwt(await issuer.sign({}, { iat: NOW - 7200 }));
		expect(payload.iat).toBe(NOW - 7200);
		expect(payload.exp).toBe(NOW + 3600);
	});

	it("kid overrides the header kid", async () => {
		const token = await issuer.sign({}, { kid: "unknown-kid" });
		expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", kid: "unknown-kid" });
		await expect(jwtVerify(token, jwks)).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
	});

	it("header adds and overrides protected header parameters; undefined removes one", async () => {
		const token = await issuer.sign(
			{},
			{ header: { typ: "at+jwt", jku: "https://evil.example/jwks.json", kid: "from-header" } },
		);
		expect(decodeProtectedHeader(token)).toEqual({
			alg: "RS256",
			kid: "from-header",
			typ: "at+jwt",
			jku: "https://evil.example/jwks.json",
		});
		const withoutKid = await issuer.sign({}, { header: { kid: undefined } });
		expect(decodeProtectedHeader(withoutKid)).toEqual({ alg: "RS256" });
	});

	it("header can carry crit with its extension parameter", async () => {
		const token = await issuer.sign({}, { header: { crit: ["urn:example:ext"], "urn:example:ext": 1 } });
		expect(decodeProtectedHeader(token)).toEqual({
			alg: "RS256",
			kid: kidOf("RS256"),
			crit: ["urn:example:ext"],
			"urn:example:ext": 1,
		});
		await expect(jwtVerify(token, jwks)).rejects.toMatchObject({ code: "ERR_JOSE_NOT_SUPPORTED" });
	});

	it("claims override the defaults, and a claim set to undefined is removed", async () => {
		const token = await issuer.sign({
			sub: "user_456",
			aud: ["https://api.apiera.io", "other"],
			iss: "https://elsewhere.example",
			exp: NOW + 5,
			jti: undefined,
			org_id: "org_abc",
			permissions: ["read", "write"],
		});
		expect(decodeJwt(token)).toEqual({
			iss: "https://elsewhere.example",
			sub: "user_456",
			aud: ["https://api.apiera.io", "other"],
			iat: NOW,
			exp: NOW + 5,
			org_id: "org_abc",
			permissions: ["read", "write"],
		});
	});

	it("signs HS tokens even when no HS algorithm is configured", async () => {
		const rsaOnly = await createTestIssuer();
		try {
			const token = await rsaOnly.sign({}, { alg: "HS256" });
			const { protectedHeader } = await jwtVerify(token, new TextEncoder().encode(rsaOnly.secret));
			expect(protectedHeader).toEqual({ alg: "HS256" });
			expect(rsaOnly.jwks).toEqual({ keys: [expect.objectContaining({ alg: "RS256" })] });
		} finally {
			await rsaOnly.close();
		}
	});

	it("rejects bad input with a TypeError", async () => {
		const rsaOnly = await createTestIssuer();
		try {
			await expect(rsaOnly.sign({}, { alg: "ES256" })).rejects.toThrow(
				new TypeError("The test issuer has no ES256 key; add it to the algorithms option."),
			);
			await expect(rsaOnly.sign({}, { alg: "none" as TestAlgorithm })).rejects.toThrow(
				new TypeError("Unsupported algorithm: none."),
			);
			await expect(rsaOnly.sign({}, { expiresIn: "soon" })).rejects.toThrow(
				new TypeError("expiresIn must be seconds or a string such as '30s', '10m', '24h' or '2d'."),
			);
			await expect(rsaOnly.sign({}, { iat: Number.NaN })).rejects.toThrow(
				new TypeError("iat must be a finite number of seconds since the epoch."),
			);
			await expect(rsaOnly.sign([] as unknown as Record<string, unknown>)).rejects.toThrow(
				new TypeError("claims must be a plain object."),
			);
		} finally {
			await rsaOnly.close();
		}
	});
});

describe("publicKey() and privateKey()", () => {
	it("return the current CryptoKeys of an algorithm, the first by default", async () => {
		const publicKey = issuer.publicKey();
		expect(publicKey).not.toBeInstanceOf(KeyObject);
		expect(publicKey).toMatchObject({ type: "public", algorithm: { name: "RSASSA-PKCS1-v1_5" } });
		expect(issuer.privateKey()).toMatchObject({ type: "private", extractable: true });
		expect(issuer.publicKey("ES384")).toMatchObject({ algorithm: { name: "ECDSA", namedCurve: "P-384" } });
		expect(issuer.publicKey("EdDSA")).toMatchObject({ algorithm: { name: "Ed25519" } });
	});

	it("return the shared secret as a KeyObject for HS algorithms", () => {
		const secret = issuer.publicKey("HS256");
		expect(secret).toBeInstanceOf(KeyObject);
		expect(secret).toBe(issuer.privateKey("HS512"));
		expect((secret as KeyObject).export().toString()).toBe(issuer.secret);
	});

	it("privateKey() signs tokens the served JWKS verifies", async () => {
		const token = await new SignJWT({ sub: "manual" })
			.setProtectedHeader({ alg: "ES256", kid: kidOf("ES256") })
			.sign(issuer.privateKey("ES256"));
		const { payload } = await jwtVerify(token, jwks);
		expect(payload).toEqual({ sub: "manual" });
	});

	it("throw a TypeError for an algorithm the issuer lacks", async () => {
		const hsOnly = await createTestIssuer({ algorithms: ["HS256"] });
		try {
			expect(() => hsOnly.publicKey("RS256")).toThrow(
				new TypeError("The test issuer has no RS256 key; add it to the algorithms option."),
			);
			expect(hsOnly.publicKey()).toBeInstanceOf(KeyObject);
		} finally {
			await hsOnly.close();
		}
	});
});
