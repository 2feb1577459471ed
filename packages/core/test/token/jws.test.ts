import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { exportJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type VerifierInternals } from "../../src/index.js";
import { decodeJws, verifySignature } from "../../src/token/jws.js";
import { type FaultyServer, jsonServer } from "../support/faulty-servers.js";
import { expectRefusal, refusal, thrownBy } from "../support/refusals.js";
import { forge, rawSign, segment, toKeyObject, withSignature } from "../support/tokens.js";

describe("decodeJws", () => {
	const header = { alg: "ES256", kid: "k1", typ: "at+jwt" };
	const payload = { iss: "https://i.example", sub: "u", n: [1, { a: null }] };
	const token = `${segment(header)}.${segment(payload)}.${Buffer.from("sig-bytes").toString("base64url")}`;

	it("refuses a signature spelled with bits that decoding drops, and keeps the canonical spelling", () => {
		const head = `${segment(header)}.${segment(payload)}`;
		// 8 bytes take 11 characters, whose last has 2 spare bits; 7 bytes take 10, whose last has 4.
		const eight = Buffer.from("sig-byte").toString("base64url");
		const seven = Buffer.from("sig-byt").toString("base64url");
		expect([eight.length, seven.length]).toEqual([11, 10]);
		expect(decodeJws(`${head}.${eight}`).signature.toString()).toBe("sig-byte");
		expect(decodeJws(`${head}.${seven}`).signature.toString()).toBe("sig-byt");
		const respell = (text: string, bit: number) => {
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
			const last = alphabet[alphabet.indexOf(text.at(-1) as string) | bit] as string;
			return text.slice(0, -1) + last;
		};
		for (const other of [respell(eight, 1), respell(eight, 2), respell(seven, 1), respell(seven, 8)]) {
			expect(Buffer.from(other, "base64url").toString()).toMatch(/^sig-byte?$/);
			expectRefusal(
				thrownBy(() => decodeJws(`${head}.${other}`)),
				"token_malformed",
			);
		}
	});

	it("accepts exactly the canonical spellings, whatever the signature's last character", () => {
		const head = `${segment(header)}.${segment(payload)}`;
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const accepts = (signature: string) => {
			try {
				decodeJws(`${head}.${signature}`);
				return true;
			} catch (error) {
				expectRefusal(error, "token_malformed");
				return false;
			}
		};
		// Signatures of 5, 6, 7 and 8 characters: every length modulo 4 (4n + 1 is never canonical).
		const verdicts = ["AAAA", "AAAAA", "AAAAAA", "AAAAAAA"].flatMap((prefix) =>
			[...alphabet].map((last) => prefix + last),
		);
		for (const signature of verdicts) {
			const canonical = Buffer.from(signature, "base64url").toString("base64url") === signature;
			expect({ signature, accepted: accepts(signature) }).toEqual({ signature, accepted: canonical });
		}
	});

	it("splits and decodes a compact JWS", () => {
		const decoded = decodeJws(token);
		expect(decoded).toEqual({
			header,
			payload,
			signingInput: token.slice(0, token.lastIndexOf(".")),
			signature: Buffer.from("sig-bytes"),
			alg: "ES256",
		});
		expect(Object.isFrozen(decoded.header)).toBe(true);
	});

	it.each([
		["two segments", `${segment(header)}.${segment(payload)}`],
		["four segments", `${token}.e30`],
		["a JWE's five segments", `${segment({ alg: "RSA-OAEP", enc: "A256GCM" })}.a2V5.aXY.Y2lwaGVy.dGFn`],
		["an empty payload", `${segment(header)}..c2ln`],
		["an empty header", `.${segment(payload)}.c2ln`],
		["base64 padding", `${segment(header)}=.${segment(payload)}.c2ln`],
		["a base64 (not base64url) character", `${segment(header)}.${segment(payload)}.c2+ln/`],
		["a leading space", ` ${token}`],
		["a trailing newline", `${token}\n`],
		["an empty string", ""],
		["dots only", ".."],
		[
			"a header that is not JSON",
			`${Buffer.from("{alg:ES256}").toString("base64url")}.${segment(payload)}.c2ln`,
		],
		["a header that is an array", `${segment([header])}.${segment(payload)}.c2ln`],
		["a header that is a JSON string", `${segment('"ES256"')}.${segment(payload)}.c2ln`],
		["a payload that is an array", `${segment(header)}.${segment([payload])}.c2ln`],
		["a payload that is a number", `${segment(header)}.${segment("42")}.c2ln`],
		["a payload that is not JSON", `${segment(header)}.${Buffer.from("iss=x").toString("base64url")}.c2ln`],
		["a header without alg", `${segment({ kid: "k1" })}.${segment(payload)}.c2ln`],
		["a numeric alg", `${segment({ alg: 256 })}.${segment(payload)}.c2ln`],
		["a null alg", `${segment({ alg: null })}.${segment(payload)}.c2ln`],
		["a duplicate header member", `${segment('{"alg":"ES256","alg":"none"}')}.${segment(payload)}.c2ln`],
		["a duplicate payload member", `${segment(header)}.${segment('{"sub":"u","sub":"admin"}')}.c2ln`],
		[
			"an escaped duplicate payload member",
			`${segment(header)}.${segment('{"sub":"u","\\u0073ub":"admin"}')}.c2ln`,
		],
	])("refuses %s as token_malformed", (_label, malformed) => {
		expectRefusal(
			thrownBy(() => decodeJws(malformed)),
			"token_malformed",
		);
	});
});

describe("verifySignature", () => {
	const data = "eyJhbGciOiJ4In0.eyJzdWIiOiJ1In0";
	const input = Buffer.from(data);
	const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
	const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
	const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
	const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
	const p521 = generateKeyPairSync("ec", { namedCurve: "P-521" });
	const ed = generateKeyPairSync("ed25519");
	const secret = Buffer.alloc(64, 7);
	const cases = [
		["RS256", rsa],
		["RS384", rsa],
		["RS512", rsa],
		["PS256", rsa],
		["PS384", rsa],
		["PS512", rsa],
		["ES256", p256],
		["ES384", p384],
		["ES512", p521],
		["EdDSA", ed],
	] as const;

	it.each(cases)("accepts a good %s signature and refuses a flipped bit", (alg, pair) => {
		const signature = rawSign(alg, input, pair.privateKey);
		expect(verifySignature(alg, data, signature, pair.publicKey)).toBe(true);
		const flipped = Buffer.from(signature);
		flipped[10] = (flipped[10] as number) ^ 1;
		expect(verifySignature(alg, data, flipped, pair.publicKey)).toBe(false);
		expect(verifySignature(alg, `${data}x`, signature, pair.publicKey)).toBe(false);
	});

	it.each(["HS256", "HS384", "HS512"] as const)(
		"accepts a good %s MAC, refuses another secret or length",
		(alg) => {
			const mac = rawSign(alg, input, secret);
			expect(verifySignature(alg, data, mac, secret)).toBe(true);
			expect(verifySignature(alg, data, mac, Buffer.alloc(64, 8))).toBe(false);
			expect(verifySignature(alg, data, mac.subarray(0, mac.length - 1), secret)).toBe(false);
			expect(verifySignature(alg, data, Buffer.concat([mac, Buffer.from([0])]), secret)).toBe(false);
			expect(verifySignature(alg, data, Buffer.alloc(0), secret)).toBe(false);
		},
	);

	it("refuses an RSA signature by another key, truncated or empty, without throwing", () => {
		const signature = rawSign("RS256", input, rsa.privateKey);
		expect(verifySignature("RS256", data, signature, otherRsa.publicKey)).toBe(false);
		expect(verifySignature("RS256", data, signature.subarray(1), rsa.publicKey)).toBe(false);
		expect(verifySignature("RS256", data, Buffer.alloc(0), rsa.publicKey)).toBe(false);
		expect(verifySignature("PS256", data, Buffer.alloc(256), rsa.publicKey)).toBe(false);
	});

	it("refuses a PKCS#1 v1.5 signature as PSS and the other way round", () => {
		expect(verifySignature("PS256", data, rawSign("RS256", input, rsa.privateKey), rsa.publicKey)).toBe(
			false,
		);
		expect(verifySignature("RS256", data, rawSign("PS256", input, rsa.privateKey), rsa.publicKey)).toBe(
			false,
		);
	});

	it("refuses a signature made with another hash", () => {
		expect(verifySignature("RS384", data, rawSign("RS256", input, rsa.privateKey), rsa.publicKey)).toBe(
			false,
		);
	});

	it("refuses ECDSA signatures that are all zero, DER-encoded or of the wrong length", () => {
		expect(verifySignature("ES256", data, Buffer.alloc(64), p256.publicKey)).toBe(false);
		expect(verifySignature("ES384", data, Buffer.alloc(96), p384.publicKey)).toBe(false);
		expect(verifySignature("ES512", data, Buffer.alloc(132), p521.publicKey)).toBe(false);
		const der = rawSignDer(input, p256.privateKey);
		expect(verifySignature("ES256", data, der, p256.publicKey)).toBe(false);
		const good = rawSign("ES256", input, p256.privateKey);
		expect(verifySignature("ES256", data, Buffer.concat([good, Buffer.from([0])]), p256.publicKey)).toBe(
			false,
		);
		expect(verifySignature("ES256", data, good.subarray(0, 63), p256.publicKey)).toBe(false);
		// r = 0 with a real s, and r = s = n (the group order) are out of range.
		expect(
			verifySignature("ES256", data, Buffer.concat([Buffer.alloc(32), good.subarray(32)]), p256.publicKey),
		).toBe(false);
		const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
		expect(verifySignature("ES256", data, Buffer.concat([n, n]), p256.publicKey)).toBe(false);
	});

	it("refuses an EdDSA signature of the wrong length", () => {
		const good = rawSign("EdDSA", input, ed.privateKey);
		expect(verifySignature("EdDSA", data, good.subarray(0, 63), ed.publicKey)).toBe(false);
		expect(verifySignature("EdDSA", data, Buffer.alloc(64), ed.publicKey)).toBe(false);
	});
});

/** An ES256 signature in DER form (what node:crypto makes by default), not JOSE's r||s. */
function rawSignDer(data: Buffer, key: KeyObject): Buffer {
	return sign("sha256", data, key);
}

describe("algorithm attacks, through createVerifier", () => {
	let issuer: TestIssuer;
	let attacker: TestIssuer;
	let attackerServer: FaultyServer;
	let verifier: VerifierInternals;
	let rsaKid: string;
	let ecKid: string;

	const now = () => Math.floor(Date.now() / 1000);
	const claims = (extra: Record<string, unknown> = {}) => ({
		iss: issuer.issuer,
		aud: issuer.audience,
		sub: "user_123",
		iat: now(),
		exp: now() + 600,
		jti: randomUUID(),
		...extra,
	});

	beforeAll(async () => {
		issuer = await createTestIssuer({ algorithms: ["RS256", "ES256", "PS256", "EdDSA"] });
		attacker = await createTestIssuer({ algorithms: ["RS256", "ES256"] });
		attackerServer = await jsonServer(attacker.jwks);
		const jwks = issuer.jwks.keys;
		rsaKid = jwks.find((key) => key.alg === "RS256")?.kid as string;
		ecKid = jwks.find((key) => key.alg === "ES256")?.kid as string;
	});
	afterAll(async () => {
		await Promise.all([issuer.close(), attacker.close(), attackerServer.close()]);
	});

	const fresh = () => {
		verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
			jwks: { cooldown: 60 },
		});
		return verifier;
	};

	it("accepts the issuer's own tokens (the baseline)", async () => {
		const v = fresh();
		for (const alg of ["RS256", "ES256", "PS256", "EdDSA"] as const) {
			const auth = await v.verify(await issuer.sign({}, { alg }));
			expect(auth.header?.alg).toBe(alg);
			expect(auth.subject).toBe("user_123");
		}
		expect(v.keys.cacheOf(issuer.issuer)?.fetches).toBe(1);
	});

	it.each(["none", "None", "NONE", "nOnE"])(
		"refuses alg %j as not allowed, with an empty signature or any other, before any fetch",
		async (alg) => {
			const v = fresh();
			const unsigned = `${segment({ alg, typ: "JWT" })}.${segment(claims())}`;
			await refusal(v.verify(`${unsigned}.`), "alg_not_allowed");
			await refusal(v.verify(`${unsigned}.c2lnbmF0dXJl`), "alg_not_allowed");
			await refusal(v.verify(`${segment({ alg, kid: rsaKid })}.${segment(claims())}.AA`), "alg_not_allowed");
			expect(v.keys.cacheOf(issuer.issuer)?.fetches).toBe(0);
		},
	);

	it("refuses HS256 signed with the RSA public key's PEM bytes (key confusion), before any fetch", async () => {
		const v = fresh();
		const pem = toKeyObject(issuer.publicKey("RS256")).export({
			type: "spki",
			format: "pem",
		});
		const pkcs1 = toKeyObject(issuer.publicKey("RS256")).export({
			type: "pkcs1",
			format: "pem",
		});
		for (const bytes of [Buffer.from(pem as string), Buffer.from(pkcs1 as string)]) {
			await refusal(v.verify(forge({ alg: "HS256", kid: rsaKid }, claims(), bytes)), "alg_not_allowed");
			await refusal(v.verify(forge({ alg: "HS256" }, claims(), bytes)), "alg_not_allowed");
		}
		expect(v.keys.cacheOf(issuer.issuer)?.fetches).toBe(0);
	});

	it("refuses HS256 signed with the RSA public JWK's JSON (key confusion)", async () => {
		const v = fresh();
		const jwk = issuer.jwks.keys.find((key) => key.kid === rsaKid);
		const texts = [
			JSON.stringify(jwk),
			JSON.stringify({ keys: [jwk] }),
			JSON.stringify(issuer.jwks),
			jwk?.n as string,
		];
		for (const text of texts) {
			await refusal(
				v.verify(forge({ alg: "HS256", kid: rsaKid }, claims(), Buffer.from(text))),
				"alg_not_allowed",
			);
		}
		for (const alg of ["HS384", "HS512"]) {
			await refusal(
				v.verify(forge({ alg, kid: rsaKid }, claims(), Buffer.from(texts[0] as string))),
				"alg_not_allowed",
			);
		}
	});

	it("refuses a kid that names a key of another type", async () => {
		const v = fresh();
		// ES256 with the RSA key's kid, RS256 with the EC key's kid, EdDSA with the RSA key's kid.
		await refusal(v.verify(await issuer.sign({}, { alg: "ES256", kid: rsaKid })), "kid_unknown");
		await refusal(v.verify(await issuer.sign({}, { alg: "RS256", kid: ecKid })), "kid_unknown");
		await refusal(v.verify(await issuer.sign({}, { alg: "EdDSA", kid: rsaKid })), "kid_unknown");
		// The RS256 key's JWK says alg RS256: a PS256 token naming it is refused, even signed by that very key.
		const ps = forge({ alg: "PS256", kid: rsaKid }, claims(), issuer.privateKey("RS256"));
		await refusal(v.verify(ps), "kid_unknown");
	});

	it("refuses a token claiming another algorithm than it was signed with", async () => {
		const v = fresh();
		const token = forge({ alg: "RS256", kid: rsaKid }, claims(), issuer.privateKey("RS256"), "PS256");
		await refusal(v.verify(token), "signature_invalid");
	});

	it.each(["jku", "x5u"])(
		"never follows a %s header to the attacker's keys, and refuses the token",
		async (name) => {
			const v = fresh();
			const attackerKid = attacker.jwks.keys[0]?.kid as string;
			const pointing = { [name]: attackerServer.url };
			await refusal(v.verify(await attacker.sign(claims(), { header: pointing })), "kid_unknown");
			await refusal(
				v.verify(forge({ alg: "RS256", kid: rsaKid, ...pointing }, claims(), attacker.privateKey("RS256"))),
				"signature_invalid",
			);
			await refusal(
				v.verify(forge({ alg: "RS256", ...pointing }, claims(), attacker.privateKey("RS256"))),
				"signature_invalid",
			);
			// A genuine token that carries the header is checked with the issuer's keys alone.
			const genuine = await v.verify(await issuer.sign({}, { header: pointing }));
			expect(genuine.header?.[name]).toBe(attackerServer.url);
			expect(attackerServer.requests).toEqual([]);
			expect(attacker.requests).toEqual({ discovery: 0, jwks: 0, introspection: 0 });
			expect(attackerKid).not.toBe(rsaKid);
			expect(v.keys.cacheOf(issuer.issuer)?.uri).toBe(issuer.jwksUri);
		},
	);

	it("never trusts an embedded jwk header", async () => {
		const v = fresh();
		const embedded = await exportJWK(attacker.publicKey("RS256"));
		const attackerKid = attacker.jwks.keys[0]?.kid as string;
		await refusal(
			v.verify(
				forge({ alg: "RS256", kid: attackerKid, jwk: embedded }, claims(), attacker.privateKey("RS256")),
			),
			"kid_unknown",
		);
		await refusal(
			v.verify(
				forge(
					{ alg: "RS256", kid: rsaKid, jwk: { ...embedded, kid: rsaKid } },
					claims(),
					attacker.privateKey("RS256"),
				),
			),
			"signature_invalid",
		);
		await refusal(
			v.verify(forge({ alg: "RS256", jwk: embedded }, claims(), attacker.privateKey("RS256"))),
			"signature_invalid",
		);
		const x5c = ["MIIBszCCAVmgAwIBAgIUQ2FmZWJhYmUwDQYJKoZIhvcNAQELBQAw"];
		await refusal(
			v.verify(forge({ alg: "RS256", x5c }, claims(), attacker.privateKey("RS256"))),
			"signature_invalid",
		);
		expect(attackerServer.requests).toEqual([]);
	});

	it.each<[string, Record<string, unknown>]>([
		["an unknown crit parameter", { crit: ["exp-policy"], "exp-policy": true }],
		["an empty crit list", { crit: [] }],
		["crit naming a registered parameter", { crit: ["kid"] }],
		["crit that is not a list", { crit: "b64" }],
		["b64 false (RFC 7797)", { b64: false, crit: ["b64"] }],
		["b64 false without crit", { b64: false }],
		["b64 true", { b64: true, crit: ["b64"] }],
	])("refuses %s as crit_unsupported, even with a valid signature", async (_label, extra) => {
		const v = fresh();
		const token = forge({ alg: "RS256", kid: rsaKid, ...extra }, claims(), issuer.privateKey("RS256"));
		await refusal(v.verify(token), "crit_unsupported");
	});

	it("refuses an all-zero ECDSA signature on a genuine ES256 token", async () => {
		const v = fresh();
		const token = await issuer.sign({}, { alg: "ES256" });
		expect((await v.verify(token)).header?.alg).toBe("ES256");
		await refusal(
			v.verify(withSignature(await issuer.sign({}, { alg: "ES256" }), Buffer.alloc(64))),
			"signature_invalid",
		);
		await refusal(
			v.verify(withSignature(await issuer.sign({}, { alg: "ES256" }), Buffer.alloc(1))),
			"signature_invalid",
		);
	});

	it("refuses a DER-encoded ECDSA signature (JOSE wants r||s)", async () => {
		const v = fresh();
		const unsigned = `${segment({ alg: "ES256", kid: ecKid })}.${segment(claims())}`;
		const der = rawSignDer(Buffer.from(unsigned), toKeyObject(issuer.privateKey("ES256")));
		await refusal(v.verify(`${unsigned}.${der.toString("base64url")}`), "signature_invalid");
	});

	it("refuses a JWE (five segments) as malformed", async () => {
		const v = fresh();
		const jwe = `${segment({ alg: "dir", enc: "A256GCM", kid: rsaKid })}..aXYxMjM0NTY3ODkw.Y2lwaGVydGV4dA.dGFnMTIzNDU2Nzg5MDEy`;
		await refusal(v.verify(jwe), "token_malformed");
		const full = `${segment({ alg: "RSA-OAEP", enc: "A256GCM" })}.a2V5.aXY.Y2lwaGVy.dGFn`;
		await refusal(v.verify(full), "token_malformed");
	});

	it("refuses duplicate JSON members in a validly signed header or payload", async () => {
		const v = fresh();
		const sign = (header: string, payload: string) =>
			forge(header, payload, issuer.privateKey("RS256"), "RS256");
		const body = JSON.stringify(claims());
		await refusal(v.verify(sign(`{"alg":"RS256","kid":"${rsaKid}","alg":"RS256"}`, body)), "token_malformed");
		await refusal(
			v.verify(sign(`{"alg":"RS256","kid":"${rsaKid}","kid":"${rsaKid}"}`, body)),
			"token_malformed",
		);
		const duplicated = `${body.slice(0, -1)},"sub":"admin"}`;
		await refusal(v.verify(sign(`{"alg":"RS256","kid":"${rsaKid}"}`, duplicated)), "token_malformed");
		const escaped = `${body.slice(0, -1)},"\\u0061ud":"https://other.example"}`;
		await refusal(v.verify(sign(`{"alg":"RS256","kid":"${rsaKid}"}`, escaped)), "token_malformed");
		// The same texts without the duplicate verify: it is the duplicate that is refused.
		expect((await v.verify(sign(`{"alg":"RS256","kid":"${rsaKid}"}`, body))).subject).toBe("user_123");
	});

	it("refuses a kid that is not a string", async () => {
		const v = fresh();
		for (const kid of [1, null, [rsaKid], { kid: rsaKid }]) {
			await refusal(
				v.verify(forge({ alg: "RS256", kid }, claims(), issuer.privateKey("RS256"))),
				"token_malformed",
			);
		}
	});

	it("refuses an algorithm that the allow-list leaves out", async () => {
		const v = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
			algorithms: ["ES256"],
		});
		await refusal(v.verify(await issuer.sign({}, { alg: "RS256" })), "alg_not_allowed");
		await refusal(v.verify(await issuer.sign({}, { alg: "EdDSA" })), "alg_not_allowed");
		expect((await v.verify(await issuer.sign({}, { alg: "ES256" }))).header?.alg).toBe("ES256");
	});

	it("refuses a signature over other bytes (header swapped onto another payload)", async () => {
		const v = fresh();
		const a = await issuer.sign({ sub: "alice" });
		const b = await issuer.sign({ sub: "admin" });
		const [ah, , as] = a.split(".");
		const [, bp] = b.split(".");
		await refusal(v.verify(`${ah}.${bp}.${as}`), "signature_invalid");
	});

	it("keeps a token's signature bound to its exact base64url text", async () => {
		const v = fresh();
		const token = await issuer.sign();
		const [h, p, s] = token.split(".") as [string, string, string];
		// Same JSON, other base64url text: a different signing input, so the signature no longer matches.
		const reencoded = `${h}.${segment(JSON.stringify(JSON.parse(Buffer.from(p, "base64url").toString()), null, 1))}.${s}`;
		await refusal(v.verify(reencoded), "signature_invalid");
	});
});
