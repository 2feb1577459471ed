import { createHash } from "node:crypto";
import {
	calculateJwkThumbprint,
	createRemoteJWKSet,
	decodeJwt,
	decodeProtectedHeader,
	EmbeddedJWK,
	exportJWK,
	jwtVerify,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createDpopKey,
	createDpopProof,
	createTestIssuer,
	type DpopAlgorithm,
	type TestIssuer,
} from "../src/index.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const URL_WITH_QUERY = "https://API.example.test:443/v1/products?page=2#top";
const HTU = "https://api.example.test/v1/products";

let issuer: TestIssuer;
beforeAll(async () => {
	issuer = await createTestIssuer({ algorithms: ["ES256"] });
});
afterAll(() => issuer.close());

function sha256(value: string): string {
	return createHash("sha256").update(value).digest("base64url");
}

describe("createDpopKey", () => {
	it.each([
		["ES256", { kty: "EC", crv: "P-256" }],
		["Ed25519", { kty: "OKP", crv: "Ed25519" }],
		["EdDSA", { kty: "OKP", crv: "Ed25519" }],
		["PS256", { kty: "RSA" }],
		["RS256", { kty: "RSA" }],
	] as const)("%s: a key pair, its public JWK only, and its RFC 7638 thumbprint", async (alg, shape) => {
		const key = await createDpopKey(alg);
		expect(key.alg).toBe(alg);
		expect(key.publicJwk).toMatchObject(shape);
		const members = Object.keys(key.publicJwk).sort();
		expect(members).toEqual(
			shape.kty === "RSA"
				? ["e", "kty", "n"]
				: shape.kty === "EC"
					? ["crv", "kty", "x", "y"]
					: ["crv", "kty", "x"],
		);
		expect(key.jkt).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey), "sha256"));
		expect(key.privateKey).toMatchObject({ type: "private", extractable: true });
	});

	it("defaults to ES256 and refuses other algorithms", async () => {
		expect((await createDpopKey()).alg).toBe("ES256");
		await expect(createDpopKey("HS256" as DpopAlgorithm)).rejects.toThrow(
			new TypeError("createDpopKey supports: ES256, Ed25519, EdDSA, PS256, RS256."),
		);
	});
});

describe("createDpopProof", () => {
	it.each(["ES256", "Ed25519", "EdDSA", "PS256", "RS256"] as const)(
		"%s: verifies with jose's EmbeddedJWK and carries htm, htu, iat, jti, ath",
		async (alg) => {
			const key = await createDpopKey(alg);
			const token = await issuer.sign({}, { dpopKey: key });
			const proof = await createDpopProof(key, { method: "GET", url: URL_WITH_QUERY, token });
			const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
				typ: "dpop+jwt",
				algorithms: [alg],
			});
			expect(protectedHeader).toEqual({ typ: "dpop+jwt", alg, jwk: key.publicJwk });
			expect(await calculateJwkThumbprint(protectedHeader.jwk!, "sha256")).toBe(key.jkt);
			expect(payload).toEqual({
				htm: "GET",
				htu: HTU,
				iat: expect.any(Number),
				jti: expect.stringMatching(UUID),
				ath: sha256(token),
			});
			expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
			expect(decodeJwt(token).cnf).toEqual({ jkt: key.jkt });
		},
	);

	it("has no ath without a token, a nonce when given, and a fresh jti each time", async () => {
		const key = await createDpopKey();
		const first = decodeJwt(await createDpopProof(key, { method: "POST", url: new URL(HTU), nonce: "n-1" }));
		const second = decodeJwt(await createDpopProof(key, { method: "POST", url: HTU }));
		expect(Object.keys(first).sort()).toEqual(["htm", "htu", "iat", "jti", "nonce"]);
		expect(first.nonce).toBe("n-1");
		expect(first.jti).not.toBe(second.jti);
	});

	it("takes iat and jti, and header and claims overrides that forge broken proofs", async () => {
		const key = await createDpopKey();
		const privateJwk = await exportJWK(key.privateKey);
		const proof = await createDpopProof(key, {
			method: "GET",
			url: HTU,
			token: "t",
			iat: 1_700_000_000,
			jti: "fixed",
			header: { typ: "JWT", jwk: privateJwk },
			claims: { ath: undefined, htm: "get", extra: 1 },
		});
		expect(decodeProtectedHeader(proof)).toEqual({ typ: "JWT", alg: "ES256", jwk: privateJwk });
		expect(decodeJwt(proof)).toEqual({ htm: "get", htu: HTU, iat: 1_700_000_000, jti: "fixed", extra: 1 });
		const noJwk = await createDpopProof(key, { method: "GET", url: HTU, header: { jwk: undefined } });
		expect(decodeProtectedHeader(noJwk)).toEqual({ typ: "dpop+jwt", alg: "ES256" });
	});

	it("signs with alg when it suits the key (EdDSA and Ed25519 name one key)", async () => {
		const key = await createDpopKey("Ed25519");
		const proof = await createDpopProof(key, { method: "GET", url: HTU, alg: "EdDSA" });
		const { protectedHeader } = await jwtVerify(proof, EmbeddedJWK);
		expect(protectedHeader.alg).toBe("EdDSA");
		await expect(createDpopProof(key, { method: "GET", url: HTU, alg: "ES256" })).rejects.toThrow(TypeError);
	});

	it("rejects bad input with a TypeError", async () => {
		const key = await createDpopKey();
		await expect(createDpopProof(key, { method: "", url: HTU })).rejects.toThrow(
			new TypeError("method must be an HTTP method such as 'GET'."),
		);
		await expect(createDpopProof(key, { method: "GET", url: "/v1/products" })).rejects.toThrow(
			new TypeError("url must be an absolute URL, e.g. 'http://localhost:3000/v1/products'."),
		);
		await expect(createDpopProof(key, { method: "GET", url: HTU, iat: Number.NaN })).rejects.toThrow(
			new TypeError("iat must be a finite number of seconds since the epoch."),
		);
		await expect(createDpopProof(key, { method: "GET", url: HTU, claims: [] as never })).rejects.toThrow(
			new TypeError("claims must be a plain object."),
		);
		await expect(createDpopProof({} as never, { method: "GET", url: HTU })).rejects.toThrow(
			new TypeError("key must be a DPoP key from createDpopKey()."),
		);
	});
});

describe("issuer.dpopProof and bound tokens", () => {
	it("signs with the issuer's own ES256 key by default, or with the given key", async () => {
		expect(issuer.dpopKey.alg).toBe("ES256");
		const proof = await issuer.dpopProof({ method: "DELETE", url: HTU });
		expect(decodeProtectedHeader(proof).jwk).toEqual(issuer.dpopKey.publicJwk);
		const key = await createDpopKey("Ed25519");
		const other = await issuer.dpopProof({ method: "DELETE", url: HTU, key });
		expect(decodeProtectedHeader(other)).toEqual({ typ: "dpop+jwt", alg: "Ed25519", jwk: key.publicJwk });
	});

	it("sign() binds with dpopKey, certificate and cnf; a cnf claim replaces them all", async () => {
		const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
		const bound = await issuer.sign({}, { dpopKey: issuer.dpopKey, cnf: { kid: "k1" } });
		const { payload } = await jwtVerify(bound, jwks);
		expect(payload.cnf).toEqual({ kid: "k1", jkt: issuer.dpopKey.jkt });
		const der = Buffer.from("not really a certificate");
		const both = decodeJwt(await issuer.sign({}, { dpopKey: issuer.dpopKey, certificate: der }));
		expect(both.cnf).toEqual({ jkt: issuer.dpopKey.jkt, "x5t#S256": sha256(der.toString()) });
		const replaced = decodeJwt(await issuer.sign({ cnf: { jkt: "forged" } }, { dpopKey: issuer.dpopKey }));
		expect(replaced.cnf).toEqual({ jkt: "forged" });
		expect(decodeJwt(await issuer.sign())).not.toHaveProperty("cnf");
	});

	it("sign() rejects bad binding options with a TypeError", async () => {
		await expect(issuer.sign({}, { dpopKey: {} as never })).rejects.toThrow(
			new TypeError("dpopKey must be a DPoP key from createDpopKey()."),
		);
		await expect(issuer.sign({}, { certificate: "not PEM" })).rejects.toThrow(
			new TypeError("certificate must be a PEM certificate or its DER bytes."),
		);
		await expect(issuer.sign({}, { cnf: [] as never })).rejects.toThrow(
			new TypeError("cnf must be a plain object."),
		);
	});
});
