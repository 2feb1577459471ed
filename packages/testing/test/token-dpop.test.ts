import { request } from "node:http";
import * as DPoP from "dpop";
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createDpopKey,
	createDpopProof,
	createTestIssuer,
	type DpopKey,
	type TestIssuer,
} from "../src/index.js";

let issuer: TestIssuer;
let key: DpopKey;

beforeAll(async () => {
	[issuer, key] = await Promise.all([createTestIssuer({ issuerPath: "/tenant-a" }), createDpopKey()]);
});
afterAll(() => issuer.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const BODY = "grant_type=client_credentials&client_id=app_1&scope=read";

function requestToken(dpop: string | undefined, url = issuer.tokenEndpoint): Promise<Response> {
	const headers: Record<string, string> = { ...FORM, ...(dpop === undefined ? {} : { dpop }) };
	return fetch(url, { method: "POST", headers, body: BODY });
}

/** POSTs with two `DPoP` header lines (fetch would join them into one). */
function requestWithTwoProofs(proof: string): Promise<{ status: number; body: unknown }> {
	return new Promise((resolve, reject) => {
		const req = request(issuer.tokenEndpoint, { method: "POST", headers: FORM }, (res) => {
			let text = "";
			res.setEncoding("utf8");
			res.on("data", (chunk: string) => {
				text += chunk;
			});
			res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
		});
		req.setHeader("dpop", [proof, proof]);
		req.on("error", reject);
		req.end(BODY);
	});
}

describe("POST {issuer}/oauth/token with a DPoP proof (RFC 9449 §5)", () => {
	it.each(["ES256", "Ed25519", "RS256", "PS256"] as const)(
		"mints a bound token from a proof made by the dpop package (%s)",
		async (alg) => {
			const keypair = await DPoP.generateKeyPair(alg);
			const proof = await DPoP.generateProof(keypair, issuer.tokenEndpoint, "POST");
			const response = await requestToken(proof);
			expect(response.status).toBe(200);
			expect(response.headers.get("cache-control")).toBe("no-store");
			const body = (await response.json()) as { access_token: string };
			expect(body).toEqual({ access_token: expect.any(String), token_type: "DPoP", expires_in: 3600 });
			const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(issuer.jwksUri)), {
				issuer: issuer.issuer,
			});
			expect(payload).toMatchObject({
				sub: "app_1",
				scope: "read",
				cnf: { jkt: await DPoP.calculateThumbprint(keypair.publicKey) },
			});
		},
	);

	it("accepts a proof for the URL as the request's Host names it, with a query", async () => {
		const localhost = issuer.tokenEndpoint.replace("127.0.0.1", "localhost");
		const proof = await createDpopProof(key, { method: "POST", url: `${localhost}?x=1` });
		const response = await requestToken(proof, localhost);
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ token_type: "DPoP" });
	});

	it("without a DPoP header mints a Bearer token without cnf", async () => {
		const body = (await (await requestToken(undefined)).json()) as {
			access_token: string;
			token_type: string;
		};
		expect(body.token_type).toBe("Bearer");
		expect(decodeProtectedHeader(body.access_token).alg).toBe("RS256");
	});

	const now = () => Math.floor(Date.now() / 1000);
	it.each([
		["an empty header", async () => "", "Send exactly one DPoP header."],
		["a value that is not a JWT", async () => "not-a-jwt", "The DPoP proof is not a JWT."],
		["typ JWT", async () => proofWith({ header: { typ: "JWT" } }), "The DPoP proof's typ must be dpop+jwt."],
		["no jwk", async () => proofWith({ header: { jwk: undefined } }), "The DPoP proof has no jwk."],
		[
			"a private jwk",
			async () => proofWith({ header: { jwk: await exportJWK(key.privateKey) } }),
			"The DPoP proof's jwk must be a public key.",
		],
		[
			"another key's jwk",
			async () => proofWith({ header: { jwk: (await createDpopKey()).publicJwk } }),
			"The DPoP proof's signature or claims are invalid.",
		],
		[
			"htm GET",
			async () => proofWith({ method: "GET" }),
			"The DPoP proof's htm is not this request's method.",
		],
		[
			"another htu",
			async () => proofWith({ url: "http://127.0.0.1:1/oauth/token" }),
			"The DPoP proof's htu is not this endpoint.",
		],
		[
			"no htu",
			async () => proofWith({ claims: { htu: undefined } }),
			"The DPoP proof's htu is not this endpoint.",
		],
		[
			"an iat 10 minutes old",
			async () => proofWith({ iat: now() - 600 }),
			"The DPoP proof's iat is not within 300 seconds of now.",
		],
		[
			"an iat 10 minutes ahead",
			async () => proofWith({ iat: now() + 600 }),
			"The DPoP proof's iat is not within 300 seconds of now.",
		],
		["no jti", async () => proofWith({ claims: { jti: undefined } }), "The DPoP proof has no jti."],
		[
			"a tampered signature",
			async () => `${(await proofWith({})).slice(0, -4)}AAAA`,
			"The DPoP proof's signature or claims are invalid.",
		],
	])("refuses %s with 400 invalid_dpop_proof", async (_case, make, description) => {
		const response = await requestToken(await make());
		expect(response.status).toBe(400);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.json()).toEqual({ error: "invalid_dpop_proof", error_description: description });
	});

	it("refuses two DPoP headers and an HS256 proof", async () => {
		const proof = await proofWith({});
		expect(await requestWithTwoProofs(proof)).toEqual({
			status: 400,
			body: { error: "invalid_dpop_proof", error_description: "Send exactly one DPoP header." },
		});
		const [, payload, signature] = proof.split(".");
		const header = Buffer.from(
			JSON.stringify({ typ: "dpop+jwt", alg: "HS256", jwk: key.publicJwk }),
		).toString("base64url");
		const hs = await requestToken(`${header}.${payload}.${signature}`);
		expect(await hs.json()).toEqual({
			error: "invalid_dpop_proof",
			error_description: "The DPoP proof's alg is not supported.",
		});
	});
});

function proofWith(overrides: {
	method?: string;
	url?: string;
	iat?: number;
	header?: Record<string, unknown>;
	claims?: Record<string, unknown>;
}): Promise<string> {
	return createDpopProof(key, { method: "POST", url: issuer.tokenEndpoint, ...overrides });
}
