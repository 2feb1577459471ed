/**
 * `checkProof` (RFC 9449 §4.3 steps 2 to 7) on its own: every check failing alone, on proofs made with
 * jose (never with the code under test), and accepted proofs for each default algorithm.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { DEFAULT_DPOP_ALGORITHMS } from "../../src/config/sender-constraint.js";
import { checkProof, MAX_PROOF_LENGTH } from "../../src/schemes/dpop-proof.js";
import { expectRefusal, thrownBy } from "../support/refusals.js";

const ALGS: ReadonlySet<string> = new Set(DEFAULT_DPOP_ALGORITHMS);

type Signer = Parameters<SignJWT["sign"]>[0];

interface ProofKey {
	readonly alg: string;
	readonly privateKey: Signer;
	readonly publicJwk: JWK;
	readonly privateJwk: JWK;
}

/** A fresh key pair for `alg` (so that no test meets another's header in the header cache). */
async function keyFor(
	alg: string,
	options: { crv?: string; modulusLength?: number } = {},
): Promise<ProofKey> {
	const { privateKey, publicKey } = await generateKeyPair(alg === "EdDSA" ? "Ed25519" : alg, {
		extractable: true,
		...options,
	});
	return { alg, privateKey, publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

const NOW = 1_800_000_000;
const CLAIMS = {
	jti: "a3f0c1b2-0000-4000-8000-000000000001",
	htm: "GET",
	htu: "https://api.example.com/v1/products",
	iat: NOW,
	ath: "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo",
};

/** Signs `claims` with `key` under the DPoP header, header members overridden (`undefined` drops one). */
async function proofOf(
	key: ProofKey,
	claims: Record<string, unknown> = CLAIMS,
	header: Record<string, unknown> = {},
): Promise<string> {
	const merged: Record<string, unknown> = { typ: "dpop+jwt", alg: key.alg, jwk: key.publicJwk, ...header };
	for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
	return new SignJWT(claims).setProtectedHeader(merged as { alg: string }).sign(key.privateKey);
}

/** A JWS over raw payload bytes (not necessarily a JSON object). */
async function rawProof(key: ProofKey, payload: string): Promise<string> {
	return new CompactSign(new TextEncoder().encode(payload))
		.setProtectedHeader({ typ: "dpop+jwt", alg: key.alg, jwk: key.publicJwk })
		.sign(key.privateKey);
}

/**
 * Signs by hand with node:crypto, for what jose refuses to sign: an Ed448 key, an RSA key under 2048
 * bits, a `crit` it does not know. `hash` is `null` for EdDSA; ECDSA signatures in JOSE's r||s form.
 */
function handSigned(
	header: Record<string, unknown>,
	claims: Record<string, unknown>,
	key: KeyObject,
	hash: string | null,
): string {
	const input = `${b64(header)}.${b64(claims)}`;
	const signature = sign(hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
	return `${input}.${signature.toString("base64url")}`;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Asserts that `checkProof` refuses `proof` for `reason`, with the exact 401. */
function refuses(proof: string, reason: Parameters<typeof expectRefusal>[1], algorithms = ALGS): void {
	expectRefusal(
		thrownBy(() => checkProof(proof, algorithms)),
		reason,
	);
}

describe("checkProof: accepted proofs", () => {
	it.each(["ES256", "Ed25519", "EdDSA", "PS256", "RS256"])(
		"accepts a proof signed with %s, and gives its claims and the RFC 7638 thumbprint",
		async (alg) => {
			const key = await keyFor(alg);
			const proof = await proofOf(key, { ...CLAIMS, nonce: "n-1" });
			expect(checkProof(proof, ALGS)).toEqual({
				jkt: await calculateJwkThumbprint(key.publicJwk, "sha256"),
				jti: CLAIMS.jti,
				htm: "GET",
				htu: CLAIMS.htu,
				iat: NOW,
				ath: CLAIMS.ath,
				nonce: "n-1",
			});
			// The same header again comes from the header cache: same answer.
			expect(checkProof(proof, ALGS).jkt).toBe(await calculateJwkThumbprint(key.publicJwk, "sha256"));
		},
	);

	it("accepts ES384 and ES512 when they are allowed, with their own curves", async () => {
		const all = new Set(["ES384", "ES512"]);
		for (const alg of ["ES384", "ES512"]) {
			const key = await keyFor(alg);
			expect(checkProof(await proofOf(key), all).jkt).toBe(
				await calculateJwkThumbprint(key.publicJwk, "sha256"),
			);
		}
	});

	it("accepts an EdDSA proof whose key is Ed448 (EdDSA covers both curves)", async () => {
		const { privateKey, publicKey } = generateKeyPairSync("ed448");
		const jwk = publicKey.export({ format: "jwk" });
		const proof = handSigned({ typ: "dpop+jwt", alg: "EdDSA", jwk }, CLAIMS, privateKey, null);
		expect(checkProof(proof, ALGS).jti).toBe(CLAIMS.jti);
	});

	it("compares typ without case (a media type), and ignores members the jwk has beyond the public ones", async () => {
		const key = await keyFor("ES256");
		expect(checkProof(await proofOf(key, CLAIMS, { typ: "DPoP+JWT" }), ALGS).htm).toBe("GET");
		const decorated = await proofOf(key, CLAIMS, { jwk: { ...key.publicJwk, use: "sig", kid: "k1" } });
		// The thumbprint is of the required members only (RFC 7638 §3.2).
		expect(checkProof(decorated, ALGS).jkt).toBe(await calculateJwkThumbprint(key.publicJwk, "sha256"));
	});

	it("leaves ath and nonce undefined when the proof has none", async () => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key, { jti: "j", htm: "POST", htu: "https://a.example/", iat: 1 });
		expect(checkProof(proof, ALGS)).toMatchObject({ ath: undefined, nonce: undefined, iat: 1 });
	});

	it("accepts a jti of 256 characters, and a proof of exactly MAX_PROOF_LENGTH characters", async () => {
		const key = await keyFor("ES256");
		expect(checkProof(await proofOf(key, { ...CLAIMS, jti: "j".repeat(256) }), ALGS).jti).toHaveLength(256);
		// Padded with a claim nobody reads, to exactly 8192 characters; one more is refused.
		const headerLength = b64({ typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk }).length;
		const signatureLength = 86;
		let exact: string | undefined;
		for (let pad = 0; exact === undefined && pad < 8000; pad++) {
			const claims = { ...CLAIMS, pad: "p".repeat(pad) };
			if (headerLength + 1 + b64(claims).length + 1 + signatureLength === MAX_PROOF_LENGTH) {
				exact = await proofOf(key, claims);
			}
		}
		expect(exact).toHaveLength(MAX_PROOF_LENGTH);
		expect(checkProof(exact as string, ALGS).jti).toBe(CLAIMS.jti);
		refuses(`${exact}A`, "dpop_proof_malformed");
	});
});

describe("checkProof: the compact JWS (dpop_proof_malformed)", () => {
	it.each([
		["empty", ""],
		["one segment", "abc"],
		["two segments", "abc.def"],
		["four segments", "a.b.c.d"],
		["an empty segment", "abc..def"],
		["padding", "abc=.def.ghi"],
		["standard base64", "ab+c.def.gh/i"],
		["a space", "abc.def. ghi"],
		["JSON serialization", '{"payload":"e30","signature":"x"}'],
		["too long", `${"a".repeat(MAX_PROOF_LENGTH - 4)}.b.c`],
		["far too long", `${"a".repeat(100_000)}.b.c`],
	])("refuses %s", (_label, proof) => {
		refuses(proof, "dpop_proof_malformed");
	});

	it.each([
		["not JSON", Buffer.from("not json").toString("base64url")],
		["a JSON array", b64([{ typ: "dpop+jwt" }])],
		["a JSON string", b64("dpop+jwt")],
		["null", b64(null)],
	])("refuses a header that is %s", (_label, header) => {
		refuses(`${header}.e30.c2ln`, "dpop_proof_malformed");
	});

	it("refuses a header with crit (no extension is understood)", async () => {
		const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const jwk = publicKey.export({ format: "jwk" });
		const header = { typ: "dpop+jwt", alg: "ES256", jwk, crit: ["exp"], exp: 1 };
		const proof = handSigned(header, CLAIMS, privateKey, "sha256");
		refuses(proof, "dpop_proof_malformed");
	});

	it.each([
		["not JSON", "not json"],
		["a JSON array", JSON.stringify([CLAIMS])],
		["a JSON number", "42"],
	])("refuses a well-signed payload that is %s", async (_label, payload) => {
		const key = await keyFor("ES256");
		refuses(await rawProof(key, payload), "dpop_proof_malformed");
	});
});

describe("checkProof: typ (dpop_proof_typ)", () => {
	it.each([
		["missing", undefined],
		["JWT", "JWT"],
		["at+jwt", "at+jwt"],
		["with the application/ prefix", "application/dpop+jwt"],
		["a number", 1],
		["dpop+jwt with a space", "dpop+jwt "],
	])("refuses a typ %s", async (_label, typ) => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key, CLAIMS, { typ });
		refuses(proof, "dpop_proof_typ");
	});
});

describe("checkProof: alg (dpop_proof_alg)", () => {
	it("refuses an asymmetric alg that is not allowed", async () => {
		const key = await keyFor("ES384");
		const proof = await proofOf(key);
		refuses(proof, "dpop_proof_alg");
	});

	it("refuses alg none (an unsigned proof)", async () => {
		const key = await keyFor("ES256");
		const header = b64({ typ: "dpop+jwt", alg: "none", jwk: key.publicJwk });
		refuses(`${header}.${b64(CLAIMS)}.AA`, "dpop_proof_alg");
	});

	it("refuses HS256, signed with a shared secret given as an oct jwk", async () => {
		const secret = new Uint8Array(32).fill(7);
		const jwk = { kty: "oct", k: Buffer.from(secret).toString("base64url") };
		const proof = await new SignJWT(CLAIMS)
			.setProtectedHeader({ typ: "dpop+jwt", alg: "HS256", jwk } as { alg: string })
			.sign(secret);
		refuses(proof, "dpop_proof_alg");
		// Even where a careless set lists it, no symmetric key is ever a proof key.
		refuses(proof, "dpop_proof_key", new Set(["HS256"]));
	});

	it.each([
		["missing", undefined],
		["a number", 256],
		["lower case", "es256"],
	])("refuses an alg %s", async (_label, alg) => {
		const key = await keyFor("ES256");
		const proof = b64({ typ: "dpop+jwt", alg, jwk: key.publicJwk });
		refuses(`${proof}.${b64(CLAIMS)}.AA`, "dpop_proof_alg");
	});

	it("refuses a cached header whose alg the caller's set does not allow", async () => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key);
		checkProof(proof, ALGS);
		refuses(proof, "dpop_proof_alg", new Set(["RS256"]));
	});
});

describe("checkProof: the public jwk (dpop_proof_key)", () => {
	it("refuses a proof without jwk", async () => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key, CLAIMS, { jwk: undefined });
		refuses(proof, "dpop_proof_key");
	});

	it.each(["ES256", "Ed25519", "RS256"])("refuses a private %s jwk (with d)", async (alg) => {
		const key = await keyFor(alg);
		expect(key.privateJwk.d).toBeDefined();
		const proof = await proofOf(key, CLAIMS, { jwk: key.privateJwk });
		refuses(proof, "dpop_proof_key");
	});

	it.each(["p", "q", "dp", "dq", "qi", "oth", "k"])(
		"refuses a jwk with the private member %s",
		async (member) => {
			const key = await keyFor("RS256");
			const proof = await proofOf(key, CLAIMS, { jwk: { ...key.publicJwk, [member]: "AQAB" } });
			refuses(proof, "dpop_proof_key");
		},
	);

	it("refuses a jwk of another key type than the alg's (an RSA key under ES256)", async () => {
		const ec = await keyFor("ES256");
		const rsa = await keyFor("RS256");
		const proof = await proofOf(ec, CLAIMS, { jwk: rsa.publicJwk });
		refuses(proof, "dpop_proof_key");
		// And an EC key under RS256.
		const other = await proofOf(rsa, CLAIMS, { jwk: ec.publicJwk });
		refuses(other, "dpop_proof_key");
	});

	it("refuses an RSA key of 1024 bits, signed and all", async () => {
		const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
		const jwk = publicKey.export({ format: "jwk" });
		const proof = handSigned({ typ: "dpop+jwt", alg: "RS256", jwk }, CLAIMS, privateKey, "sha256");
		refuses(proof, "dpop_proof_key");
	});

	it("refuses an EC key on another curve than the alg's (P-384 under ES256)", async () => {
		const p384 = await keyFor("ES384");
		const es256 = await keyFor("ES256");
		const proof = await proofOf(es256, CLAIMS, { jwk: p384.publicJwk });
		refuses(proof, "dpop_proof_key");
	});

	it("refuses an Ed448 key under Ed25519", async () => {
		const { privateKey, publicKey } = generateKeyPairSync("ed448");
		const jwk = publicKey.export({ format: "jwk" });
		const proof = handSigned({ typ: "dpop+jwt", alg: "Ed25519", jwk }, CLAIMS, privateKey, null);
		refuses(proof, "dpop_proof_key");
	});

	it.each<[string, (jwk: JWK) => unknown]>([
		["a string", () => "jwk"],
		["an array", (jwk) => [jwk]],
		["x missing", (jwk) => ({ ...jwk, x: undefined })],
		["x not base64url", (jwk) => ({ ...jwk, x: "a+b/c=" })],
		["x empty", (jwk) => ({ ...jwk, x: "" })],
		["x a number", (jwk) => ({ ...jwk, x: 1 })],
		["crv a number", (jwk) => ({ ...jwk, crv: 1 })],
		["a point off the curve", (jwk) => ({ ...jwk, y: jwk.x })],
		["kty missing", (jwk) => ({ ...jwk, kty: undefined })],
	])("refuses an ES256 jwk that is %s", async (_label, change) => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key, CLAIMS, { jwk: change(key.publicJwk) });
		refuses(proof, "dpop_proof_key");
	});
});

describe("checkProof: the signature (dpop_proof_signature)", () => {
	it("refuses a proof whose signature is altered", async () => {
		const key = await keyFor("ES256");
		const proof = await proofOf(key);
		const last = proof.at(-2) === "A" ? "B" : "A";
		refuses(`${proof.slice(0, -2)}${last}${proof.at(-1)}`, "dpop_proof_signature");
	});

	it.each(["ES256", "Ed25519", "PS256", "RS256"])(
		"refuses a %s proof signed with another key than its jwk",
		async (alg) => {
			const [key, other] = await Promise.all([keyFor(alg), keyFor(alg)]);
			const proof = await proofOf(other, CLAIMS, { jwk: key.publicJwk });
			refuses(proof, "dpop_proof_signature");
		},
	);

	it("refuses a proof whose payload was changed after signing", async () => {
		const key = await keyFor("ES256");
		const [header, , signature] = (await proofOf(key)).split(".");
		const forged = `${header}.${b64({ ...CLAIMS, htu: "https://evil.example/" })}.${signature}`;
		refuses(forged, "dpop_proof_signature");
	});

	it("refuses an ES256 signature of the wrong length (DER instead of r||s)", async () => {
		const key = await keyFor("ES256");
		const [header, payload] = (await proofOf(key)).split(".");
		refuses(`${header}.${payload}.${"A".repeat(96)}`, "dpop_proof_signature");
	});
});

describe("checkProof: the claims' types (dpop_proof_malformed)", () => {
	it.each<[string, Record<string, unknown>]>([
		["jti missing", { jti: undefined }],
		["jti empty", { jti: "" }],
		["jti of 257 characters", { jti: "j".repeat(257) }],
		["jti a number", { jti: 1 }],
		["htm missing", { htm: undefined }],
		["htm a number", { htm: 1 }],
		["htm an array", { htm: ["GET"] }],
		["htu missing", { htu: undefined }],
		["htu an object", { htu: { href: CLAIMS.htu } }],
		["iat missing", { iat: undefined }],
		["iat a string", { iat: String(NOW) }],
		["iat null", { iat: null }],
		["ath a number", { ath: 1 }],
		["ath null", { ath: null }],
		["nonce a number", { nonce: 1 }],
		["nonce an object", { nonce: {} }],
	])("refuses %s", async (_label, change) => {
		const key = await keyFor("ES256");
		const claims: Record<string, unknown> = { ...CLAIMS, ...change };
		for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
		const proof = await proofOf(key, claims);
		refuses(proof, "dpop_proof_malformed");
	});

	it("refuses an iat that JSON reads as Infinity", async () => {
		const key = await keyFor("ES256");
		const payload = JSON.stringify(CLAIMS).replace(String(NOW), "1e400");
		refuses(await rawProof(key, payload), "dpop_proof_malformed");
	});
});
