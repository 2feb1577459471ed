import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainJwks, type JwkProblem } from "../../src/index.js";

const jwk = (type: "rsa" | "ec", options: object = {}) =>
	(
		generateKeyPairSync as (
			type: string,
			options: object,
		) => { publicKey: import("node:crypto").KeyObject; privateKey: import("node:crypto").KeyObject }
	)(type, options);
const rsa2048 = jwk("rsa", { modulusLength: 2048 });
const rsa1024 = jwk("rsa", { modulusLength: 1024 });
const ec = jwk("ec", { namedCurve: "P-256" });
const publicJwk = (pair: typeof rsa2048, extra: object = {}) => ({
	...pair.publicKey.export({ format: "jwk" }),
	...extra,
});
const codes = (problems: readonly JwkProblem[]) =>
	problems.map((problem) => `${problem.severity}:${problem.code}`);

describe("explainJwks()", () => {
	it("keeps a good RSA and EC key and says which algorithms each serves", async () => {
		const report = await explainJwks({
			keys: [publicJwk(rsa2048, { kid: "r1", alg: "RS256", use: "sig" }), publicJwk(ec, { kid: "e1" })],
		});
		expect(report.usable).toBe(2);
		expect(report.problems).toEqual([]);
		expect(report.keys).toEqual([
			{
				index: 0,
				kid: "r1",
				kty: "RSA",
				alg: "RS256",
				use: "sig",
				crv: undefined,
				bits: 2048,
				algorithms: ["RS256"],
				problems: [],
			},
			{
				index: 1,
				kid: "e1",
				kty: "EC",
				alg: undefined,
				use: undefined,
				crv: "P-256",
				bits: undefined,
				algorithms: ["ES256"],
				problems: [],
			},
		]);
	});

	// usable: whether bearerguard keeps it (undefined: decided by keys/jwk.ts, whose refusal of odd
	// exponents lands with the JWKS hardening).
	it.each<[string, object, string[], boolean?]>([
		["a weak RSA key", publicJwk(rsa1024, { kid: "w" }), ["error:rsa_too_small"], false],
		["an encryption key", publicJwk(rsa2048, { kid: "enc", use: "enc" }), ["warning:use_not_sig"], false],
		[
			"key_ops without verify",
			publicJwk(rsa2048, { kid: "k", key_ops: ["encrypt"] }),
			["warning:key_ops_without_verify"],
		],
		["a key without kid", publicJwk(rsa2048), ["warning:kid_missing"], true],
		["a kid that is not a string", publicJwk(rsa2048, { kid: 7 }), ["error:kid_not_string"], false],
		[
			"a private key",
			{ ...rsa2048.privateKey.export({ format: "jwk" }), kid: "p" },
			["error:private_key"],
			false,
		],
		["a symmetric key", { kty: "oct", k: "c2VjcmV0", kid: "s" }, ["error:symmetric_key"], false],
		["an unknown kty", { kty: "XYZ", kid: "x" }, ["error:kty_unknown"], false],
		[
			"an alg that does not fit the key",
			publicJwk(ec, { kid: "e", alg: "RS256" }),
			["error:alg_mismatch"],
			false,
		],
		["an even exponent", { ...publicJwk(rsa2048, { kid: "e" }), e: "Ag" }, ["error:rsa_exponent"], undefined],
		[
			"a huge exponent",
			{ ...publicJwk(rsa2048, { kid: "e" }), e: "AQAAAAAB" },
			["error:rsa_exponent"],
			undefined,
		],
		[
			"a modulus that is not base64url",
			{ kty: "RSA", kid: "n", n: "!!", e: "AQAB" },
			["error:unimportable"],
			false,
		],
		[
			"an EC point off its length",
			{ ...publicJwk(ec, { kid: "c" }), x: "AAAA" },
			["error:unimportable"],
			false,
		],
	])("reports %s", async (_label, key, expected, usable) => {
		const report = await explainJwks({ keys: [publicJwk(rsa2048, { kid: "good" }), key] });
		expect(codes(report.keys[1]?.problems ?? [])).toEqual(expected);
		if (usable === undefined) return;
		expect(report.keys[1]?.algorithms.length).toBe(usable ? 6 : 0);
		expect(report.usable).toBe(usable ? 2 : 1);
	});

	it("reports an RSA key over 8192 bits (from its modulus, without importing it)", async () => {
		const n = Buffer.alloc(1025, 0xff);
		const report = await explainJwks({
			keys: [{ kty: "RSA", kid: "big", n: n.toString("base64url"), e: "AQAB" }],
		});
		expect(report.keys[0]?.bits).toBe(8200);
		expect(codes(report.keys[0]?.problems ?? [])).toContain("error:rsa_too_large");
	});

	it("reports duplicate kids on each key that shares one", async () => {
		const report = await explainJwks({
			keys: [publicJwk(rsa2048, { kid: "same" }), publicJwk(ec, { kid: "same" })],
		});
		expect(report.keys.map((key) => codes(key.problems))).toEqual([
			["warning:kid_duplicate"],
			["warning:kid_duplicate"],
		]);
		expect(report.keys[0]?.problems[0]?.message).toBe(
			'2 keys share kid "same": up to 3 are tried per token, a rotation is ambiguous',
		);
	});

	it.each<[string, unknown, string]>([
		["not a JWKS", { keys: "none" }, "error:not_a_jwks"],
		["an empty JWKS", { keys: [] }, "error:no_usable_keys"],
		["a JWKS of unusable keys", { keys: [publicJwk(rsa1024, { kid: "w" })] }, "error:no_usable_keys"],
		["a string", "keys", "error:not_a_jwks"],
	])("reports %s as a whole", async (_label, document, expected) => {
		const report = await explainJwks(document);
		expect(codes(report.problems)).toEqual([expected]);
		expect(report.usable).toBe(0);
	});

	it("reports members that are not objects", async () => {
		const report = await explainJwks({ keys: [null, "x"] });
		expect(report.keys.map((key) => codes(key.problems))).toEqual([
			["error:not_an_object"],
			["error:not_an_object"],
		]);
	});
});
