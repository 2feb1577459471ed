import { describe, expect, it } from "vitest";
import { createVerifier, ENVIRONMENT_VARIABLES, optionsFromEnvironment } from "../../src/index.js";

describe("optionsFromEnvironment", () => {
	it("lists the variables it reads", () => {
		expect(ENVIRONMENT_VARIABLES).toEqual([
			"BEARERGUARD_ISSUER",
			"BEARERGUARD_AUDIENCE",
			"BEARERGUARD_JWKS_URI",
			"BEARERGUARD_SECRET",
			"BEARERGUARD_ALGORITHMS",
			"BEARERGUARD_CLOCK_TOLERANCE",
			"BEARERGUARD_REALM",
		]);
	});

	it("returns no option for an empty environment, and ignores other variables", () => {
		expect(optionsFromEnvironment({})).toEqual({});
		expect(
			optionsFromEnvironment({ ISSUER: "https://x.example", bearerguard_issuer: "https://y.example" }),
		).toEqual({});
	});

	it("reads every variable", () => {
		expect(
			optionsFromEnvironment({
				BEARERGUARD_ISSUER: "https://auth.example.com/",
				BEARERGUARD_AUDIENCE: "https://api.apiera.io",
				BEARERGUARD_JWKS_URI: "https://auth.example.com/.well-known/jwks.json",
				BEARERGUARD_SECRET: "0123456789abcdef0123456789abcdef",
				BEARERGUARD_ALGORITHMS: "HS256,HS512",
				BEARERGUARD_CLOCK_TOLERANCE: "10",
				BEARERGUARD_REALM: "apiera",
			}),
		).toEqual({
			issuer: "https://auth.example.com/",
			audience: "https://api.apiera.io",
			jwksUri: "https://auth.example.com/.well-known/jwks.json",
			secret: "0123456789abcdef0123456789abcdef",
			algorithms: ["HS256", "HS512"],
			clockTolerance: 10,
			realm: "apiera",
		});
	});

	it("splits several issuers and audiences on commas and spaces", () => {
		expect(
			optionsFromEnvironment({
				BEARERGUARD_ISSUER: "https://a.example, https://b.example\thttps://c.example",
				BEARERGUARD_AUDIENCE: " api://one,,api://two ",
				BEARERGUARD_ALGORITHMS: "RS256 ES256, EdDSA",
			}),
		).toEqual({
			issuer: ["https://a.example", "https://b.example", "https://c.example"],
			audience: ["api://one", "api://two"],
			algorithms: ["RS256", "ES256", "EdDSA"],
		});
	});

	it("keeps a clock tolerance with a unit as a string, and a number as seconds", () => {
		expect(optionsFromEnvironment({ BEARERGUARD_CLOCK_TOLERANCE: "30s" })).toEqual({ clockTolerance: "30s" });
		expect(optionsFromEnvironment({ BEARERGUARD_CLOCK_TOLERANCE: "2.5" })).toEqual({ clockTolerance: 2.5 });
	});

	it("counts empty and blank variables as unset, and trims the others", () => {
		expect(
			optionsFromEnvironment({
				BEARERGUARD_ISSUER: "",
				BEARERGUARD_AUDIENCE: "   ",
				BEARERGUARD_REALM: "\t",
				BEARERGUARD_JWKS_URI: "  https://keys.example/jwks  ",
			}),
		).toEqual({ jwksUri: "https://keys.example/jwks" });
	});

	it("produces options createVerifier accepts (and checks)", () => {
		const verifier = createVerifier(
			optionsFromEnvironment({
				BEARERGUARD_ISSUER: "https://a.example https://b.example",
				BEARERGUARD_AUDIENCE: "api://x",
				BEARERGUARD_CLOCK_TOLERANCE: "1m",
			}),
		);
		expect(verifier.options.issuers).toEqual(["https://a.example", "https://b.example"]);
		expect(verifier.options.clockTolerance).toBe(60);
		expect(() =>
			createVerifier(
				optionsFromEnvironment({
					BEARERGUARD_ISSUER: "https://a.example",
					BEARERGUARD_AUDIENCE: "api://x",
					BEARERGUARD_ALGORITHMS: "none",
				}),
			),
		).toThrow(
			new TypeError('bearerguard: "algorithms" must not contain "none": unsigned tokens are never accepted.'),
		);
	});
});
