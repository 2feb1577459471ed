import { describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuerOptions } from "../src/index.js";
import { resolveOptions } from "../src/lib/options.js";

describe("resolveOptions", () => {
	it("applies every default", () => {
		expect(resolveOptions()).toEqual({
			algorithms: ["RS256"],
			audience: "https://api.example.test",
			host: "127.0.0.1",
			port: 0,
			discovery: "both",
			issuerPath: "",
			seed: undefined,
			keys: undefined,
			introspectionClient: undefined,
		});
	});

	it("takes the algorithms of the given keys when algorithms is not set", () => {
		const keys = [
			{ kty: "EC", crv: "P-256", alg: "ES256", x: "x", y: "y", d: "d" },
			{ kty: "RSA", alg: "PS384", n: "n", e: "AQAB", d: "d" },
		];
		const resolved = resolveOptions({ keys });
		expect(resolved.algorithms).toEqual(["ES256", "PS384"]);
		expect([...(resolved.keys?.keys() ?? [])]).toEqual(["ES256", "PS384"]);
		expect(resolveOptions({ keys, algorithms: ["PS384", "ES256", "HS256"] }).algorithms).toEqual([
			"PS384",
			"ES256",
			"HS256",
		]);
	});

	it("removes duplicate algorithms and normalizes the issuer path", () => {
		const resolved = resolveOptions({ algorithms: ["ES256", "HS256", "ES256"], issuerPath: "a/b//" });
		expect(resolved.algorithms).toEqual(["ES256", "HS256"]);
		expect(resolved.issuerPath).toBe("/a/b");
		expect(resolveOptions({ issuerPath: "/" }).issuerPath).toBe("");
	});

	it.each([
		[{ algorithms: [] }, "algorithms must be a non-empty array of: RS256, RS384, RS512, PS256, PS384"],
		[{ algorithms: ["none"] }, "algorithms must be a non-empty array of"],
		[{ audience: "" }, "audience must be a non-empty string."],
		[{ host: "" }, "host must be a non-empty string."],
		[{ port: -1 }, "port must be an integer from 0 to 65535 (0 picks a free port)."],
		[{ port: 1.5 }, "port must be an integer from 0 to 65535 (0 picks a free port)."],
		[{ discovery: "all" }, "discovery must be one of: openid, oauth, both, none."],
		[{ issuerPath: "/a?b" }, "issuerPath must be a URL path such as '/tenant-a', without query or fragment."],
		[{ seed: "" }, "seed must be a non-empty string."],
		[{ seed: 42 }, "seed must be a non-empty string."],
		[{ keys: [] }, "keys must be a non-empty array of private JWKs, each with its alg."],
		[{ keys: ["x"] }, "keys[0] must be a private JWK object."],
		[
			{ keys: [{ kty: "oct", alg: "HS256", k: "k" }] },
			"keys[0].alg must be one of: RS256, RS384, RS512, PS256",
		],
		[
			{ keys: [{ kty: "EC", crv: "P-384", alg: "ES256", d: "d" }] },
			"keys[0] must have kty 'EC' and crv 'P-256' for ES256.",
		],
		[{ keys: [{ kty: "EC", alg: "RS256", d: "d" }] }, "keys[0] must have kty 'RSA' for RS256."],
		[
			{ keys: [{ kty: "OKP", crv: "Ed25519", alg: "EdDSA", x: "x" }] },
			"keys[0] must be a private key (with 'd').",
		],
		[
			{
				keys: [
					{ kty: "RSA", alg: "RS256", d: "d" },
					{ kty: "RSA", alg: "RS256", d: "e" },
				],
			},
			"keys has two RS256 keys; give one key per algorithm.",
		],
		[
			{ keys: [{ kty: "RSA", alg: "RS256", d: "d" }], algorithms: ["ES256"] },
			"keys has a RS256 key, but RS256 is not in algorithms; add it there.",
		],
		[
			{ introspectionClient: { clientId: "a" } },
			"introspectionClient must be { clientId, clientSecret } with non-empty strings.",
		],
	])("rejects %j with a TypeError", (options, message) => {
		expect(() => resolveOptions(options as TestIssuerOptions)).toThrow(TypeError);
		expect(() => resolveOptions(options as TestIssuerOptions)).toThrow(message);
	});

	it("makes createTestIssuer reject before it listens", async () => {
		await expect(createTestIssuer({ port: 70_000 })).rejects.toThrow(
			new TypeError("port must be an integer from 0 to 65535 (0 picks a free port)."),
		);
	});
});

describe("a fixed port", () => {
	it("listens on the port asked for, and a second issuer on it fails with EADDRINUSE", async () => {
		const first = await createTestIssuer();
		const port = Number(new URL(first.issuer).port);
		await first.close();
		const issuer = await createTestIssuer({ port });
		try {
			expect(issuer.issuer).toBe(`http://127.0.0.1:${port}`);
			await expect(createTestIssuer({ port })).rejects.toMatchObject({ code: "EADDRINUSE" });
		} finally {
			await issuer.close();
		}
	});
});
