import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { exportJWK, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
	candidates,
	isReasonableRsaKey,
	type JwksKey,
	keyFor,
	MAX_RSA_BITS,
	toJwksKeys,
} from "../../src/keys/jwk.js";

let rsa: JWK;
let rsa1024: JWK;
let p256: JWK;
let p384: JWK;
let p521: JWK;
let ed25519: JWK;
let x25519: JWK;

beforeAll(async () => {
	rsa = await exportJWK(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
	rsa1024 = await exportJWK(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey);
	p256 = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
	p384 = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey);
	p521 = await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey);
	ed25519 = await exportJWK(generateKeyPairSync("ed25519").publicKey);
	x25519 = await exportJWK(generateKeyPairSync("x25519").publicKey);
});

const kids = (keys: readonly JwksKey[]) => keys.map((key) => key.kid);

describe("toJwksKeys", () => {
	it("keeps public signing keys of known types, in order, with their kid", () => {
		const keys = toJwksKeys([
			{ ...rsa, kid: "r" },
			{ ...p256, kid: "e", use: "sig" },
			{ ...ed25519, kid: "o", key_ops: ["verify"] },
			{ ...p384 },
		]);
		expect(kids(keys)).toEqual(["r", "e", "o", undefined]);
		expect(keys[0]?.jwk).toEqual({ ...rsa, kid: "r" });
		expect(keys[0]?.imported.size).toBe(0);
	});

	it.each<[string, unknown]>([
		["an encryption key (use enc)", { kid: "x", use: "enc" }],
		["a key with an unknown use", { kid: "x", use: "signature" }],
		["a key whose key_ops lack verify", { kid: "x", key_ops: ["encrypt"] }],
		["a key whose key_ops is not a list", { kid: "x", key_ops: "verify" }],
		["a key with a private member d", { kid: "x", d: "AAAA" }],
		["a key with a private member p", { kid: "x", p: "AAAA" }],
		["a key with a symmetric member k", { kid: "x", k: "AAAA" }],
		["a key with a numeric kid", { kid: 5 }],
		["a key with a numeric alg", { kid: "x", alg: 256 }],
	])("drops %s", (_label, extra) => {
		expect(toJwksKeys([{ ...rsa, ...(extra as object) }])).toEqual([]);
	});

	it.each<[string, unknown]>([
		["an oct key", { kty: "oct", k: "c2VjcmV0", kid: "x" }],
		["an unknown kty", { kty: "PQC", kid: "x" }],
		["a key without kty", { n: "AQAB", e: "AQAB" }],
		["null", null],
		["a string", "key"],
		["a number", 1],
		["an array", [{ kty: "RSA" }]],
	])("drops %s", (_label, value) => {
		expect(toJwksKeys([value])).toEqual([]);
	});

	it("keeps the usable keys among junk", () => {
		const keys = toJwksKeys([
			null,
			{ kty: "oct", k: "AA" },
			{ ...rsa, kid: "good" },
			{ ...rsa, kid: "enc", use: "enc" },
		]);
		expect(kids(keys)).toEqual(["good"]);
	});
});

describe("candidates", () => {
	let keys: JwksKey[];
	beforeAll(() => {
		keys = toJwksKeys([
			{ ...rsa, kid: "rsa", alg: "RS256" },
			{ ...rsa, kid: "rsa-any" },
			{ ...p256, kid: "p256", alg: "ES256" },
			{ ...p384, kid: "p384" },
			{ ...p521, kid: "p521" },
			{ ...ed25519, kid: "ed" },
			{ ...x25519, kid: "x25519" },
		]);
	});

	it.each([
		["RS256", undefined, ["rsa", "rsa-any"]],
		["RS256", "rsa", ["rsa"]],
		["PS256", undefined, ["rsa-any"]],
		["PS256", "rsa", []],
		["RS512", "rsa-any", ["rsa-any"]],
		["ES256", undefined, ["p256"]],
		["ES384", undefined, ["p384"]],
		["ES512", undefined, ["p521"]],
		["ES256", "p384", []],
		["EdDSA", undefined, ["ed"]],
		["EdDSA", "x25519", []],
		["RS256", "p256", []],
		["ES256", "rsa", []],
		["HS256", undefined, []],
		["RS256", "unknown", []],
	] as const)("%s with kid %s picks %j", (alg, kid, expected) => {
		expect(kids(candidates(keys, alg, kid))).toEqual(expected);
	});
});

describe("keyFor", () => {
	it("imports a key for an algorithm once, and shares the import", async () => {
		const [key] = toJwksKeys([{ ...rsa, kid: "r" }]) as [JwksKey];
		const first = keyFor(key, "RS256");
		expect(keyFor(key, "RS256")).toBe(first);
		const imported = (await first) as KeyObject;
		expect(imported.type).toBe("public");
		expect(imported.asymmetricKeyType).toBe("rsa");
		expect(imported.asymmetricKeyDetails?.modulusLength).toBe(2048);
		expect(keyFor(key, "PS256")).not.toBe(first);
		expect([...key.imported.keys()]).toEqual(["RS256", "PS256"]);
	});

	it.each([
		["P-256", () => p256, "ES256", "ec"],
		["P-384", () => p384, "ES384", "ec"],
		["P-521", () => p521, "ES512", "ec"],
		["Ed25519", () => ed25519, "EdDSA", "ed25519"],
	] as const)("imports a %s key", async (_label, jwk, alg, type) => {
		const [key] = toJwksKeys([jwk()]) as [JwksKey];
		expect((await keyFor(key, alg))?.asymmetricKeyType).toBe(type);
	});

	it("refuses an RSA key under 2048 bits", async () => {
		const [key] = toJwksKeys([{ ...rsa1024, kid: "weak" }]) as [JwksKey];
		expect(await keyFor(key, "RS256")).toBeUndefined();
		expect(await keyFor(key, "PS256")).toBeUndefined();
	});

	it.each<[string, JWK]>([
		["an RSA key with a broken modulus", { kty: "RSA", n: "AQAB", e: "AQAB" }],
		["an EC key off its curve", { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }],
		["an EC key of an unknown curve", { kty: "EC", crv: "secp256k1", x: "AAAA", y: "AAAA" }],
	])("gives undefined (never throws) for %s", async (_label, jwk) => {
		const [key] = toJwksKeys([jwk]) as [JwksKey];
		const alg = jwk.kty === "RSA" ? "RS256" : "ES256";
		expect(await keyFor(key, alg)).toBeUndefined();
	});
});

describe("RSA key bounds (read with the JWKS)", () => {
	const hex = (value: string) => Buffer.from(value, "hex").toString("base64url");
	/** A modulus of exactly `bits` bits (its top bit set), as base64url, with `zeros` leading zero bytes. */
	function modulus(bits: number, zeros = 0): string {
		const bytes = Buffer.alloc(Math.ceil(bits / 8), 0x5a);
		bytes[0] = 1 << ((bits - 1) % 8);
		return Buffer.concat([Buffer.alloc(zeros), bytes]).toString("base64url");
	}

	it("takes moduli up to 8192 bits, and refuses 8193 (leading zero bytes do not count)", () => {
		expect(MAX_RSA_BITS).toBe(8192);
		expect(isReasonableRsaKey({ kty: "RSA", n: modulus(8192), e: "AQAB" })).toBe(true);
		expect(isReasonableRsaKey({ kty: "RSA", n: modulus(8192, 3), e: "AQAB" })).toBe(true);
		expect(isReasonableRsaKey({ kty: "RSA", n: modulus(8193), e: "AQAB" })).toBe(false);
		expect(isReasonableRsaKey({ kty: "RSA", n: modulus(16384), e: "AQAB" })).toBe(false);
	});

	it.each([
		["3", "03", true],
		["65537", "010001", true],
		["2^32 - 1", "ffffffff", true],
		["65537 with leading zero bytes", "0000010001", true],
		["1", "01", false],
		["an even one", "010000", false],
		["2^32 + 1", "0100000001", false],
		["a 64-bit one", "ffffffffffffffff", false],
		["zero", "00", false],
	] as const)("exponent %s: %s", (_label, exponent, accepted) => {
		expect(isReasonableRsaKey({ kty: "RSA", n: rsa.n, e: hex(exponent) })).toBe(accepted);
	});

	it.each<[string, JWK]>([
		["no modulus", { kty: "RSA", e: "AQAB" }],
		["no exponent", { kty: "RSA", n: "AQAB" }],
		["a modulus that is not base64url", { kty: "RSA", n: "AQ+B", e: "AQAB" }],
		["a numeric modulus", { kty: "RSA", n: 7 as unknown as string, e: "AQAB" }],
		["an empty modulus", { kty: "RSA", n: "AA", e: "AQAB" }],
	])("refuses %s", (_label, jwk) => {
		expect(isReasonableRsaKey(jwk)).toBe(false);
	});

	it("drops oversized RSA keys from a JWKS, keeping the others", () => {
		const keys = toJwksKeys([
			{ ...rsa, kid: "ok" },
			{ ...rsa, kid: "huge", n: modulus(16384) },
			{ ...rsa, kid: "slow", e: hex("ffffffffffffffff") },
			{ ...p256, kid: "ec" },
		]);
		expect(kids(keys)).toEqual(["ok", "ec"]);
	});
});
