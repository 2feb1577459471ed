import { describe, expect, it } from "vitest";
import { checkOptionNames, closestName, OPTION_NAMES } from "../../src/config/option-names.js";
import { createAuthenticator, createVerifier, splitAdapterOptions } from "../../src/index.js";
import { thrownBy } from "../support/refusals.js";

const ISSUER = "https://auth.example.com/";
const AUDIENCE = "https://api.example.com";

describe("OPTION_NAMES", () => {
	it("lists every option of the verifier, the guards and the adapters once", () => {
		const all = [...OPTION_NAMES.verifier, ...OPTION_NAMES.guard, ...OPTION_NAMES.adapter];
		expect(new Set(all).size).toBe(all.length);
		expect(OPTION_NAMES.guard).toEqual(["permissions", "anyPermission", "optional"]);
		expect(OPTION_NAMES.adapter).toEqual(["onError", "errorHandling"]);
		expect(OPTION_NAMES.nested).toEqual({
			jwks: ["cacheMaxAge", "cooldown", "timeout", "staleIfError"],
			organization: ["claim", "required", "pattern", "header"],
			tokenCache: ["max", "maxAge"],
			resource: ["metadata"],
			apiKeys: ["header", "query", "keys", "lookup", "format", "cache", "timeout", "deprecation"],
			"apiKeys.cache": ["max", "maxAge"],
			"apiKeys.deprecation": ["since", "sunset", "link"],
			introspection: [
				"endpoint",
				"clientId",
				"clientSecret",
				"auth",
				"cacheMaxAge",
				"cacheMaxEntries",
				"timeout",
				"jwt",
			],
			dpop: ["mode", "algorithms", "proofMaxAge", "nonce", "replay"],
			"dpop.nonce": ["secret", "step"],
			mtls: ["certificate", "required"],
			"mtls.certificate": ["header"],
		});
	});
});

describe("closestName", () => {
	it.each([
		["audiance", "audience"],
		["isuer", "issuer"],
		["permission", "permissions"],
		["jwks_uri", "jwksUri"],
		["JWKSURI", "jwksUri"],
		["allow-query-token", "allowQueryToken"],
		["permissionClaim", "permissionsClaim"],
		["realme", "realm"],
		["typ", "typ"],
		["tpy", "typ"],
	])("%s is a slip of %s", (name, expected) => {
		expect(closestName(name, [...OPTION_NAMES.verifier, ...OPTION_NAMES.guard])).toBe(expected);
	});

	it.each([["scopes"], ["x"], ["roles"], ["secretKey123"]])("%s is close to nothing", (name) => {
		expect(closestName(name, [...OPTION_NAMES.verifier, ...OPTION_NAMES.guard])).toBeUndefined();
	});
});

describe("checkOptionNames", () => {
	it("takes the names of its scope, and of the scopes it contains", () => {
		expect(() =>
			checkOptionNames({ issuer: ISSUER, audience: AUDIENCE, jwks: {} }, "verifier"),
		).not.toThrow();
		expect(() => checkOptionNames({ issuer: ISSUER, permissions: ["a"] }, "authenticator")).not.toThrow();
		expect(() => checkOptionNames({ onError: () => undefined, optional: true }, "adapter")).not.toThrow();
		expect(() => checkOptionNames({ permissions: ["a"], optional: true }, "guard")).not.toThrow();
	});

	it("refuses a misspelt name, naming the closest known one", () => {
		expect(thrownBy(() => checkOptionNames({ issuer: ISSUER, audiance: AUDIENCE }, "verifier"))).toEqual(
			new TypeError('bearerguard: unknown option "audiance": did you mean "audience"?'),
		);
		expect(thrownBy(() => checkOptionNames({ onErorr: () => undefined }, "adapter"))).toEqual(
			new TypeError('bearerguard: unknown option "onErorr": did you mean "onError"?'),
		);
	});

	it("refuses a name of nothing close, listing the known ones", () => {
		expect(thrownBy(() => checkOptionNames({ scopes: [] }, "guard"))).toEqual(
			new TypeError(
				'bearerguard: unknown option "scopes"; the known ones are permissions, anyPermission, optional.',
			),
		);
	});

	it("says where a known option of another scope goes", () => {
		expect(thrownBy(() => checkOptionNames({ permissions: ["a"] }, "verifier"))).toEqual(
			new TypeError(
				'bearerguard: "permissions" is a guard option, not a verifier option: give it to requireAuth({ permissions }) or verifier.guard({ permissions }).',
			),
		);
		expect(thrownBy(() => checkOptionNames({ audience: AUDIENCE }, "guard"))).toEqual(
			new TypeError(
				'bearerguard: "audience" is a verifier option, not a guard option: give it to createVerifier({ audience }) or requireAuth({ audience }).',
			),
		);
		expect(thrownBy(() => checkOptionNames({ onError: () => undefined }, "authenticator"))).toEqual(
			new TypeError(
				'bearerguard: "onError" is an adapter option: give it to requireAuth({ onError }) of an adapter, not to the core.',
			),
		);
	});

	it("checks the members of nested settings, when they are plain objects", () => {
		expect(thrownBy(() => checkOptionNames({ jwks: { cooldwn: 1 } }, "verifier"))).toEqual(
			new TypeError('bearerguard: unknown option "jwks.cooldwn": did you mean "jwks.cooldown"?'),
		);
		expect(thrownBy(() => checkOptionNames({ tokenCache: { size: 1 } }, "verifier"))).toEqual(
			new TypeError(
				'bearerguard: unknown option "tokenCache.size"; the known ones are tokenCache.max, tokenCache.maxAge.',
			),
		);
		// `true`, `false` and values that are not plain objects are left to the option's own checks.
		expect(() => checkOptionNames({ organization: true, tokenCache: false }, "verifier")).not.toThrow();
		expect(() => checkOptionNames({ organization: new Map([["claim", "x"]]) }, "verifier")).not.toThrow();
		expect(() =>
			checkOptionNames({ organization: Object.assign(Object.create(null), { claim: "x" }) }, "verifier"),
		).not.toThrow();
	});

	it("counts a name given as undefined: a typo is a typo", () => {
		expect(thrownBy(() => checkOptionNames({ isuer: undefined }, "verifier"))).toEqual(
			new TypeError('bearerguard: unknown option "isuer": did you mean "issuer"?'),
		);
	});

	it("refuses options that are not an object", () => {
		expect(thrownBy(() => checkOptionNames(null, "guard"))).toEqual(
			new TypeError("bearerguard: options must be an object."),
		);
	});
});

describe("every factory checks the names it is given", () => {
	it("createVerifier, verifier.guard, createAuthenticator and splitAdapterOptions", () => {
		const typo = new TypeError('bearerguard: unknown option "audiance": did you mean "audience"?');
		expect(thrownBy(() => createVerifier({ issuer: ISSUER, audiance: AUDIENCE } as never))).toEqual(typo);
		expect(thrownBy(() => createAuthenticator({ issuer: ISSUER, audiance: AUDIENCE } as never, {}))).toEqual(
			typo,
		);
		expect(thrownBy(() => splitAdapterOptions({ issuer: ISSUER, audiance: AUDIENCE } as never))).toEqual(
			typo,
		);
		const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: "s".repeat(32) });
		expect(thrownBy(() => verifier.guard({ permission: ["a"] } as never))).toEqual(
			new TypeError('bearerguard: unknown option "permission": did you mean "permissions"?'),
		);
	});
});
