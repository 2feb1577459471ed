import { describe, expect, it } from "vitest";
import { mergeEnvironment, nameVariables } from "../../src/config/merge-environment.js";
import { thrownBy } from "../support/refusals.js";

const SECRET = "s".repeat(40);
const STRAY_SECRET = new TypeError(
	'bearerguard: BEARERGUARD_SECRET is set, but the code configures keys from a JWKS ("issuer", "jwksUri" or asymmetric "algorithms"): the environment never turns a JWKS verifier into a shared-secret one. Unset BEARERGUARD_SECRET, or choose the secret in code ({ secret } or algorithms: [\'HS256\']).',
);

describe("mergeEnvironment", () => {
	it("fills only what the code left unset (undefined counts as unset), and says where each came from", () => {
		const merged = mergeEnvironment(
			{ audience: "https://mine.example", realm: undefined },
			{
				BEARERGUARD_ISSUER: "https://env.example",
				BEARERGUARD_AUDIENCE: "https://env-api.example",
				BEARERGUARD_REALM: "shop",
			},
		);
		expect(merged.options).toEqual({
			issuer: "https://env.example",
			audience: "https://mine.example",
			realm: "shop",
		});
		expect([...merged.sources]).toEqual([
			["issuer", "BEARERGUARD_ISSUER"],
			["realm", "BEARERGUARD_REALM"],
		]);
	});

	it.each([
		["an issuer", { issuer: "https://code.example" }],
		["a jwksUri", { jwksUri: "https://code.example/jwks" }],
		["asymmetric algorithms", { algorithms: ["RS256"] as const }],
	])("refuses BEARERGUARD_SECRET beside %s in code", (_label, given) => {
		expect(thrownBy(() => mergeEnvironment(given, { BEARERGUARD_SECRET: SECRET }))).toEqual(STRAY_SECRET);
	});

	it("takes BEARERGUARD_SECRET when the code chose HS algorithms, or no key source at all", () => {
		const hs = mergeEnvironment(
			{ issuer: "svc", algorithms: ["HS256", "HS512"] },
			{ BEARERGUARD_SECRET: SECRET },
		);
		expect(hs.options.secret).toBe(SECRET);
		const none = mergeEnvironment(
			{ audience: "a" },
			{ BEARERGUARD_SECRET: SECRET, BEARERGUARD_ISSUER: "svc" },
		);
		expect(none.options).toEqual({ audience: "a", issuer: "svc", secret: SECRET });
	});

	it("takes the code's secret over BEARERGUARD_SECRET without complaint (code wins)", () => {
		expect(
			mergeEnvironment({ issuer: "svc", secret: "c".repeat(32) }, { BEARERGUARD_SECRET: SECRET }).options
				.secret,
		).toBe("c".repeat(32));
	});

	it("refuses BEARERGUARD_JWKS_URI beside a secret in code", () => {
		expect(
			thrownBy(() =>
				mergeEnvironment({ secret: SECRET }, { BEARERGUARD_JWKS_URI: "https://e.example/jwks" }),
			),
		).toEqual(
			new TypeError(
				'bearerguard: BEARERGUARD_JWKS_URI is set, but the code configures a shared "secret": the environment never turns a shared-secret verifier into a JWKS one. Unset BEARERGUARD_JWKS_URI, or drop "secret".',
			),
		);
	});

	it("refuses BEARERGUARD_SECRET and BEARERGUARD_JWKS_URI together", () => {
		expect(
			thrownBy(() =>
				mergeEnvironment({}, { BEARERGUARD_SECRET: SECRET, BEARERGUARD_JWKS_URI: "https://e.example/jwks" }),
			),
		).toEqual(
			new TypeError(
				"bearerguard: BEARERGUARD_SECRET and BEARERGUARD_JWKS_URI are both set: set the one your tokens are signed with.",
			),
		);
	});

	it("lets BEARERGUARD_JWKS_URI fill the JWKS of a code issuer (the kind of key source stays a JWKS)", () => {
		const merged = mergeEnvironment(
			{ issuer: "https://code.example" },
			{ BEARERGUARD_JWKS_URI: "https://e.example/jwks" },
		);
		expect(merged.options.jwksUri).toBe("https://e.example/jwks");
	});
});

describe("nameVariables", () => {
	const sources = new Map([
		["clockTolerance", "BEARERGUARD_CLOCK_TOLERANCE"],
		["audience", "BEARERGUARD_AUDIENCE"],
	]);

	it("adds the variable to a TypeError that quotes an option the environment filled", () => {
		expect(nameVariables(new TypeError('bearerguard: "clockTolerance" must be a number.'), sources)).toEqual(
			new TypeError('bearerguard: "clockTolerance" must be a number (set by BEARERGUARD_CLOCK_TOLERANCE).'),
		);
	});

	it("does not take a longer name for one the environment filled", () => {
		const error = new TypeError('bearerguard: "audienceClaim" must be a claim name.');
		expect(nameVariables(error, sources)).toBe(error);
	});

	it("leaves other errors as they are", () => {
		const error = new Error('"clockTolerance"');
		expect(nameVariables(error, sources)).toBe(error);
		const unrelated = new TypeError('bearerguard: "realm" must be printable.');
		expect(nameVariables(unrelated, sources)).toBe(unrelated);
	});
});
