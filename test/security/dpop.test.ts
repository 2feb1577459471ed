/**
 * Hostile DPoP proofs over real HTTP on every adapter: huge and deep JSON, oversized keys, and a flood
 * of 10,000 distinct junk proofs and headers. Every answer is the exact 401, never a 500; the core's
 * module-wide caches (proof headers, request URLs, 1024 each) stay bounded.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedProofHeaders, MAX_HEADERS } from "../../packages/core/src/schemes/dpop-proof.js";
import { cachedTargets, MAX_TARGETS } from "../../packages/core/src/schemes/htu.js";
import { startApps, type TestApp } from "../support/apps.js";

const AUDIENCE = "https://api.apiera.io";
const ALGS = "ES256 Ed25519 EdDSA PS256 RS256";
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

interface Answer {
	readonly status: number;
	readonly challenge: string | undefined;
	readonly contentType: string | undefined;
	readonly body: string;
}

function send(app: TestApp, path: string, headers: Record<string, string>): Promise<Answer> {
	const url = new URL(app.url);
	return new Promise((resolve, reject) => {
		const req = http.request({ host: url.hostname, port: url.port, path, headers, agent }, (res) => {
			const chunks: Buffer[] = [];
			res.on("data", (chunk: Buffer) => chunks.push(chunk));
			res.on("end", () =>
				resolve({
					status: res.statusCode ?? 0,
					challenge: res.headers["www-authenticate"],
					contentType: res.headers["content-type"],
					body: Buffer.concat(chunks).toString("utf8"),
				}),
			);
			res.on("error", reject);
		});
		req.on("error", reject);
		req.end();
	});
}

const MESSAGES: Readonly<Record<string, string>> = {
	dpop_proof_malformed: "Malformed DPoP proof",
	dpop_proof_typ: "DPoP proof has an unexpected type",
	dpop_proof_alg: "DPoP proof algorithm is not allowed",
	dpop_proof_key: "DPoP proof key is invalid",
	dpop_proof_signature: "Invalid DPoP proof signature",
	dpop_proof_htu: "DPoP proof is for another URL",
};

/** The exact 401 `invalid_dpop_proof` answer for `reason`. */
function badProof(reason: string): Answer {
	const message = MESSAGES[reason] as string;
	return {
		status: 401,
		challenge: `DPoP realm="api", error="invalid_dpop_proof", error_description="${message}", algs="${ALGS}"`,
		contentType: "application/json",
		body: JSON.stringify({ error: "invalid_dpop_proof", message }),
	};
}

const b64 = (value: unknown) =>
	Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const ath = (token: string) => createHash("sha256").update(token).digest("base64url");
const junkSignature = () => randomBytes(64).toString("base64url");

let issuer: TestIssuer;
let apps: TestApp[];
let token: string;

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: AUDIENCE });
	apps = await startApps({ issuer: issuer.issuer, audience: AUDIENCE }, [
		{ method: "GET", path: "/d", auth: { dpop: {} } },
	]);
	token = await issuer.sign({}, { dpopKey: issuer.dpopKey });
});

afterAll(async () => {
	agent.destroy();
	await Promise.all((apps ?? []).map((app) => app.close()));
	await issuer?.close();
});

/** Claims a proof for `app`'s `/d` would carry. */
const claimsFor = (app: TestApp) => ({
	jti: randomUUID(),
	htm: "GET",
	htu: `${app.url}/d`,
	iat: Math.floor(Date.now() / 1000),
	ath: ath(token),
});

/** A proof of the issuer's key for `app`, header and claims merged over the valid ones. */
function signed(app: TestApp, header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) {
	return new SignJWT({ ...claimsFor(app), ...claims })
		.setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: issuer.dpopKey.publicJwk, ...header })
		.sign(issuer.dpopKey.privateKey);
}

const validHeader = (extra: Record<string, unknown> = {}) =>
	b64({ typ: "dpop+jwt", alg: "ES256", jwk: issuer.dpopKey.publicJwk, ...extra });

/** `depth` nested arrays: `[[[...]]]`. */
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** `depth` nested objects: `{"a":{"a":...{}}}`. */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}{}${"}".repeat(depth)}`;

describe("DPoP: hostile proofs", () => {
	const cases: readonly [string, (app: TestApp) => Promise<string> | string, string][] = [
		[
			"a jwk padded with 5,000 characters past its members, badly signed",
			() =>
				`${validHeader({ jwk: { ...issuer.dpopKey.publicJwk, pad: "p".repeat(5000) } })}.${b64({})}.${junkSignature()}`,
			"dpop_proof_signature",
		],
		[
			"a jwk larger than a proof may be",
			() =>
				`${validHeader({ jwk: { ...issuer.dpopKey.publicJwk, pad: "p".repeat(9000) } })}.${b64({})}.${junkSignature()}`,
			"dpop_proof_malformed",
		],
		[
			"an RSA jwk of 16,384 bits",
			() =>
				`${b64({ typ: "dpop+jwt", alg: "RS256", jwk: { kty: "RSA", e: "AQAB", n: randomBytes(2048).toString("base64url") } })}.${b64({})}.${junkSignature()}`,
			"dpop_proof_key",
		],
		[
			"an RSA jwk with a huge exponent",
			() =>
				`${b64({ typ: "dpop+jwt", alg: "RS256", jwk: { kty: "RSA", e: randomBytes(256).toString("base64url"), n: randomBytes(256).toString("base64url") } })}.${b64({})}.${junkSignature()}`,
			"dpop_proof_key",
		],
		[
			"an RSA jwk with an even exponent",
			() =>
				`${b64({ typ: "dpop+jwt", alg: "RS256", jwk: { kty: "RSA", e: "AQAA", n: randomBytes(256).toString("base64url") } })}.${b64({})}.${junkSignature()}`,
			"dpop_proof_key",
		],
		[
			"a header of 2,500 nested arrays",
			() => `${b64(deepArray(2500))}.${b64({})}.${junkSignature()}`,
			"dpop_proof_malformed",
		],
		[
			"a header of 900 nested objects (too deep: refused before typ is read)",
			() => `${b64(deepObject(900))}.${b64({})}.${junkSignature()}`,
			"dpop_proof_malformed",
		],
		[
			"a valid header with 2,000 nested arrays inside (too deep: refused before the key is read)",
			() =>
				`${b64(`{"typ":"dpop+jwt","alg":"ES256","jwk":${JSON.stringify(issuer.dpopKey.publicJwk)},"x":${deepArray(2000)}}`)}.${b64({})}.${junkSignature()}`,
			"dpop_proof_malformed",
		],
		[
			"a well-signed proof whose jti is 1,500 nested arrays",
			(app) => signed(app, {}, { jti: JSON.parse(deepArray(1500)) }),
			"dpop_proof_malformed",
		],
		[
			"a typ hidden behind __proto__",
			() =>
				`${b64(`{"__proto__":{"typ":"dpop+jwt"},"alg":"ES256","jwk":${JSON.stringify(issuer.dpopKey.publicJwk)}}`)}.${b64({})}.${junkSignature()}`,
			"dpop_proof_typ",
		],
		[
			"a jwk whose members hide behind __proto__",
			() =>
				`${b64(`{"typ":"dpop+jwt","alg":"ES256","jwk":{"__proto__":${JSON.stringify(issuer.dpopKey.publicJwk)}}}`)}.${b64({})}.${junkSignature()}`,
			"dpop_proof_key",
		],
		[
			"a header naming alg twice (ES256, then none): refused as malformed, whichever JSON.parse keeps",
			() =>
				`${b64(`{"typ":"dpop+jwt","alg":"ES256","jwk":${JSON.stringify(issuer.dpopKey.publicJwk)},"alg":"none"}`)}.${b64({})}.${junkSignature()}`,
			"dpop_proof_malformed",
		],
		[
			"a header of invalid UTF-8",
			() => `${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64url")}.${b64({})}.AA`,
			"dpop_proof_malformed",
		],
		[
			"a well-signed proof of 8,192+ characters",
			(app) => signed(app, {}, { pad: "p".repeat(6200) }),
			"dpop_proof_malformed",
		],
	];

	it.each(cases)("refuses %s on every adapter with the exact 401", async (_label, proof, reason) => {
		for (const app of apps) {
			const answer = await send(app, "/d", { authorization: `DPoP ${token}`, dpop: await proof(app) });
			expect({ app: app.name, answer }).toEqual({ app: app.name, answer: badProof(reason) });
			expect(app.errors).toEqual([]);
		}
	});
});

describe("DPoP: a flood of 10,000 distinct junk proofs and headers", () => {
	it("answers every one 401, never 500, and keeps the module-wide caches at most 1024 entries", async () => {
		expect({ MAX_HEADERS, MAX_TARGETS }).toEqual({ MAX_HEADERS: 1024, MAX_TARGETS: 1024 });
		const total = 10_000;
		const statuses = new Map<number, number>();
		const codes = new Map<string, number>();
		let maxHeaders = 0;
		let maxTargets = 0;
		let next = 0;
		const one = async (i: number) => {
			const app = apps[i % apps.length] as TestApp;
			let path = "/d";
			let headers: Record<string, string>;
			let expected: Answer | undefined;
			switch (i % 5) {
				case 0:
					// Random bytes in three segments.
					headers = {
						authorization: `DPoP ${token}`,
						dpop: `${randomBytes(40).toString("base64url")}.${randomBytes(80).toString("base64url")}.${randomBytes(64).toString("base64url")}`,
					};
					expected = badProof("dpop_proof_malformed");
					break;
				case 1:
					// A distinct valid header each time (it reaches the header cache), a junk signature.
					headers = {
						authorization: `DPoP ${token}`,
						dpop: `${validHeader({ n: i })}.${b64(claimsFor(app))}.${junkSignature()}`,
					};
					expected = badProof("dpop_proof_signature");
					break;
				case 2:
					// A distinct typ each time.
					headers = {
						authorization: `DPoP ${token}`,
						dpop: `${b64({ typ: `x${i}`, alg: "ES256" })}.${b64({})}.AA`,
					};
					expected = badProof("dpop_proof_typ");
					break;
				case 3:
					// A well-signed proof for another URL, at a distinct request URL (it reaches the URL cache).
					path = `/d?i=${i}`;
					headers = {
						authorization: `DPoP ${token}`,
						dpop: await signed(app, {}, { htu: `${app.url}/other` }),
					};
					expected = badProof("dpop_proof_htu");
					break;
				default:
					// Junk in the Authorization header itself, and junk DPoP header values.
					headers = {
						authorization: `DPoP ${randomBytes(30).toString("base64url")}.${i}`,
						dpop: `junk ${i}, ${randomBytes(8).toString("hex")}`,
					};
					expected = undefined;
			}
			const answer = await send(app, path, headers);
			statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
			const code = `${answer.status} ${answer.body}`;
			codes.set(code, (codes.get(code) ?? 0) + 1);
			if (expected !== undefined) {
				expect({ app: app.name, i, answer }).toEqual({ app: app.name, i, answer: expected });
			} else {
				expect(answer.status).toBe(401);
				expect(answer.challenge).toMatch(
					/^DPoP realm="api", error="invalid_token", error_description="[^"]+", algs="/,
				);
			}
			maxHeaders = Math.max(maxHeaders, cachedProofHeaders());
			maxTargets = Math.max(maxTargets, cachedTargets());
		};
		const worker = async () => {
			while (next < total) await one(next++);
		};
		await Promise.all(Array.from({ length: 16 }, worker));
		expect([...statuses]).toEqual([[401, total]]);
		for (const app of apps) expect(app.errors).toEqual([]);
		// The caches were used (the flood reached them) and never grew past their caps.
		expect(maxHeaders).toBeGreaterThan(500);
		expect(maxHeaders).toBeLessThanOrEqual(MAX_HEADERS);
		expect(maxTargets).toBeGreaterThan(500);
		expect(maxTargets).toBeLessThanOrEqual(MAX_TARGETS);
		expect(cachedProofHeaders()).toBeLessThanOrEqual(MAX_HEADERS);
		expect(cachedTargets()).toBeLessThanOrEqual(MAX_TARGETS);
		// After the flood, a real client still gets through everywhere.
		for (const app of apps) {
			const proof = await issuer.dpopProof({ method: "GET", url: `${app.url}/d`, token });
			const answer = await send(app, "/d", { authorization: `DPoP ${token}`, dpop: proof });
			expect({ app: app.name, status: answer.status }).toEqual({ app: app.name, status: 200 });
		}
	}, 120_000);
});
