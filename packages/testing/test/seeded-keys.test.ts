import { createECDH } from "node:crypto";
import {
	calculateJwkThumbprint,
	createRemoteJWKSet,
	decodeProtectedHeader,
	exportJWK,
	generateKeyPair,
	type JWK,
	jwtVerify,
} from "jose";
import { describe, expect, it } from "vitest";
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from "../src/index.js";
import { createDrbg } from "../src/lib/drbg.js";
import { EC_CURVES, seededPrivateJwk } from "../src/lib/seeded-keys.js";

/** Public values the seed 'bearerguard' derives, pinned: a change here breaks every user's stable keys. */
const KNOWN_ANSWERS = {
	ec: "BKbG5OrbI7FA-DCBM2kss5w6RCKogtxk8ZCGAiNTepI",
	ed: "5MsJuqy_9pf8aUnO4aMokb2XYtX0lMy2fbU0jbacMgI",
	rsa: "paWQpslK5SI6-xmdpjF8BDKQ",
};
const ALL: TestAlgorithm[] = ["RS256", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256"];

async function withIssuers<T>(
	count: number,
	options: Parameters<typeof createTestIssuer>[0],
	run: (issuers: TestIssuer[]) => Promise<T>,
): Promise<T> {
	const issuers = await Promise.all(Array.from({ length: count }, () => createTestIssuer(options)));
	try {
		return await run(issuers);
	} finally {
		await Promise.all(issuers.map((issuer) => issuer.close()));
	}
}

describe("seed: the same keys in every issuer", () => {
	it("two issuers with one seed publish identical JWKS, secrets, introspection clients and DPoP keys", async () => {
		await withIssuers(2, { seed: "suite-a", algorithms: ALL }, async ([a, b]) => {
			const served = (await (await fetch(a!.jwksUri)).json()) as { keys: JWK[] };
			expect(served.keys.map((key) => key.alg)).toEqual([
				"RS256",
				"PS512",
				"ES256",
				"ES384",
				"ES512",
				"EdDSA",
			]);
			expect(await (await fetch(b!.jwksUri)).json()).toEqual(served);
			expect(b!.secret).toBe(a!.secret);
			expect(b!.introspectionClient).toEqual(a!.introspectionClient);
			expect(b!.dpopKey.jkt).toBe(a!.dpopKey.jkt);
			expect(b!.dpopKey.publicJwk).toEqual(a!.dpopKey.publicJwk);
			for (const key of served.keys) {
				const { kid, alg, use, ...material } = key;
				expect(kid).toBe(await calculateJwkThumbprint(material, "sha256"));
				expect(use).toBe("sig");
			}
		});
	});

	it("a token from issuer A verifies with issuer B's served JWKS, for every algorithm", async () => {
		await withIssuers(2, { seed: "suite-a", algorithms: ALL }, async ([a, b]) => {
			const jwksOfB = createRemoteJWKSet(new URL(b!.jwksUri));
			for (const alg of ALL.filter((entry) => entry !== "HS256")) {
				const token = await a!.sign({ org_id: "org_acme" }, { alg });
				const { payload, protectedHeader } = await jwtVerify(token, jwksOfB, { algorithms: [alg] });
				expect(protectedHeader.kid).toBe(b!.jwks.keys.find((key) => key.alg === alg)?.kid);
				expect(payload.org_id).toBe("org_acme");
			}
			const hs = await a!.sign({}, { alg: "HS256" });
			await expect(jwtVerify(hs, new TextEncoder().encode(b!.secret))).resolves.toBeDefined();
		});
	});

	it("a fresh issuer per test on a fixed port keeps serving the keys a long-lived verifier holds", async () => {
		const first = await createTestIssuer({ seed: "fixed-port", algorithms: ["ES256"] });
		const port = Number(new URL(first.issuer).port);
		const jwks = createRemoteJWKSet(new URL(first.jwksUri), { cooldownDuration: 30_000 });
		await jwtVerify(await first.sign(), jwks, { issuer: first.issuer });
		await first.close();
		for (let test = 2; test <= 3; test++) {
			const fresh = await createTestIssuer({ seed: "fixed-port", algorithms: ["ES256"], port });
			try {
				const { payload } = await jwtVerify(await fresh.sign({ test }), jwks, { issuer: fresh.issuer });
				expect(payload.test).toBe(test);
				expect(fresh.requests.jwks).toBe(0);
			} finally {
				await fresh.close();
			}
		}
	});

	it("different seeds give different keys, and no seed gives random keys", async () => {
		const [a, b, c, d] = await Promise.all([
			createTestIssuer({ seed: "one", algorithms: ["ES256", "EdDSA"] }),
			createTestIssuer({ seed: "two", algorithms: ["ES256", "EdDSA"] }),
			createTestIssuer({ algorithms: ["ES256", "EdDSA"] }),
			createTestIssuer({ algorithms: ["ES256", "EdDSA"] }),
		]);
		try {
			const kids = [a, b, c, d].map((issuer) => issuer.jwks.keys.map((key) => key.kid));
			expect(new Set(kids.flat()).size).toBe(8);
			expect(new Set([a, b, c, d].map((issuer) => issuer.secret)).size).toBe(4);
			expect(new Set([a, b, c, d].map((issuer) => issuer.introspectionClient.clientSecret)).size).toBe(4);
		} finally {
			await Promise.all([a, b, c, d].map((issuer) => issuer.close()));
		}
	});

	it("derives the same keys in every process and run (known answers for the seed 'bearerguard')", () => {
		const ec = seededPrivateJwk("bearerguard", "keys/0", "ES256");
		const ed = seededPrivateJwk("bearerguard", "keys/0", "EdDSA");
		const rsa = seededPrivateJwk("bearerguard", "keys/0", "RS256");
		expect({ ec: ec.x, ed: ed.x, rsa: rsa.n?.slice(0, 24) }).toEqual(KNOWN_ANSWERS);
	});

	it("rotateKeys() derives generation n from the seed: issuers that rotate alike agree", async () => {
		await withIssuers(2, { seed: "rotating", algorithms: ["ES256", "RS256"] }, async ([a, b]) => {
			const generation0 = a!.jwks.keys.map((key) => key.kid);
			await Promise.all([a!.rotateKeys(), b!.rotateKeys({ keepOld: false })]);
			const generation1 = b!.jwks.keys.map((key) => key.kid);
			expect(generation1).not.toEqual(generation0);
			expect(a!.jwks.keys.map((key) => key.kid)).toEqual([...generation1, ...generation0]);
			const token = await a!.sign({}, { alg: "RS256" });
			await expect(jwtVerify(token, createRemoteJWKSet(new URL(b!.jwksUri)))).resolves.toBeDefined();
			expect(decodeProtectedHeader(token).kid).toBe(generation1[1]);
		});
		await withIssuers(1, { seed: "rotating", algorithms: ["ES256", "RS256"] }, async ([c]) => {
			await c!.rotateKeys({ keepOld: false });
			const again = await createTestIssuer({ seed: "rotating", algorithms: ["ES256", "RS256"] });
			try {
				await again.rotateKeys({ keepOld: false });
				expect(again.jwks).toEqual(c!.jwks);
			} finally {
				await again.close();
			}
		});
	});
});

describe("keys: given private JWKs", () => {
	it("signs with the given keys, keeps a given kid, and derives the rest", async () => {
		const es = await generateKeyPair("ES256", { extractable: true });
		const ed = await generateKeyPair("EdDSA", { extractable: true });
		const esJwk = { ...(await exportJWK(es.privateKey)), alg: "ES256", kid: "my-es-key" };
		const edJwk = { ...(await exportJWK(ed.privateKey)), alg: "EdDSA" };
		const issuer = await createTestIssuer({ keys: [esJwk, edJwk] });
		try {
			const edPublic = await exportJWK(ed.publicKey);
			expect(issuer.jwks.keys).toEqual([
				{ ...(await exportJWK(es.publicKey)), kid: "my-es-key", alg: "ES256", use: "sig" },
				{ ...edPublic, kid: await calculateJwkThumbprint(edPublic, "sha256"), alg: "EdDSA", use: "sig" },
			]);
			const token = await issuer.sign();
			expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: "my-es-key" });
			await expect(jwtVerify(token, es.publicKey)).resolves.toBeDefined();
			await expect(jwtVerify(await issuer.sign({}, { alg: "EdDSA" }), ed.publicKey)).resolves.toBeDefined();
		} finally {
			await issuer.close();
		}
	});

	it("moves keys between issuers: a key exported from one signs for another", async () => {
		const source = seededPrivateJwk("exported", "keys/0", "RS256");
		const issuer = await createTestIssuer({
			keys: [{ ...source, alg: "RS256" }],
			algorithms: ["RS256", "ES256"],
		});
		const seeded = await createTestIssuer({ seed: "exported" });
		try {
			expect(issuer.jwks.keys[0]).toEqual(seeded.jwks.keys[0]);
			expect(issuer.jwks.keys.map((key) => key.alg)).toEqual(["RS256", "ES256"]);
		} finally {
			await Promise.all([issuer.close(), seeded.close()]);
		}
	});

	it("rejects a key that does not import, after validation of its shape", async () => {
		const broken = { kty: "EC", crv: "P-256", alg: "ES256", x: "AA", y: "AA", d: "AA" };
		await expect(createTestIssuer({ keys: [broken] })).rejects.toThrow(
			new TypeError("keys: the ES256 key is not a valid private JWK for ES256."),
		);
	});
});

describe("the derivation", () => {
	it("the DRBG gives one stream however it is read, and independent streams per label", () => {
		const whole = createDrbg("seed", "label").bytes(100);
		const drbg = createDrbg("seed", "label");
		expect(Buffer.concat([drbg.bytes(1), drbg.bytes(31), drbg.bytes(0), drbg.bytes(68)])).toEqual(whole);
		expect(createDrbg("seed", "label2").bytes(100)).not.toEqual(whole);
		expect(createDrbg("seed2", "label").bytes(100)).not.toEqual(whole);
	});

	it.each(Object.entries(EC_CURVES))(
		"%s: the curve order is right (n is refused; (n-1)G = -G)",
		(_alg, curve) => {
			const scalar = (value: bigint) => Buffer.from(value.toString(16).padStart(curve.size * 2, "0"), "hex");
			expect(() => createECDH(curve.openssl).setPrivateKey(scalar(curve.order))).toThrow();
			const minusG = createECDH(curve.openssl);
			minusG.setPrivateKey(scalar(curve.order - 1n));
			const g = createECDH(curve.openssl);
			g.setPrivateKey(scalar(1n));
			const x = (ecdh: typeof g) => ecdh.getPublicKey().subarray(1, 1 + curve.size);
			const y = (ecdh: typeof g) => ecdh.getPublicKey().subarray(1 + curve.size);
			expect(x(minusG)).toEqual(x(g));
			expect(y(minusG)).not.toEqual(y(g));
		},
	);

	it("RSA keys are 2048 bits with e = 65537, and each PS/RS algorithm gets its own key", () => {
		const rs = seededPrivateJwk("sizes", "keys/0", "RS256");
		const ps = seededPrivateJwk("sizes", "keys/0", "PS256");
		expect(Buffer.from(rs.n!, "base64url")).toHaveLength(256);
		expect(Buffer.from(rs.n!, "base64url")[0]! & 0x80).toBe(0x80);
		expect(rs.e).toBe("AQAB");
		expect(ps.n).not.toBe(rs.n);
	});
});
