import { describe, expect, it } from "vitest";
import { ASYMMETRIC_ALGORITHMS, normalizeTyp, resolveOptions } from "../../src/config/options.js";
import { createVerifier, type VerifierOptions } from "../../src/index.js";
import { thrownBy } from "../support/refusals.js";

const ISSUER = "https://auth.example.com/";
const AUDIENCE = "https://api.example.com";
const SECRET = "0123456789abcdef0123456789abcdef";
const BASE: VerifierOptions = { issuer: ISSUER, audience: AUDIENCE };
const ALL_ALGORITHMS =
	"RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512";
const DURATION = (name: string) =>
	`bearerguard: "${name}" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.`;

function configError(options: unknown): string {
	const error = thrownBy(() => createVerifier(options as VerifierOptions));
	expect(error).toBeInstanceOf(TypeError);
	return (error as TypeError).message;
}

describe("createVerifier: defaults", () => {
	it("applies every documented default", () => {
		const { options } = createVerifier(BASE);
		expect(options).toEqual({
			issuers: [ISSUER],
			audiences: [AUDIENCE],
			jwksUri: undefined,
			secret: undefined,
			algorithms: new Set(ASYMMETRIC_ALGORITHMS),
			clockTolerance: 5,
			maxTokenAge: undefined,
			requireExpiry: true,
			typ: undefined,
			organization: undefined,
			permissionsClaims: [
				{ name: "permissions", path: undefined, label: "permissions" },
				{ name: "scope", path: undefined, label: "scope" },
				{ name: "scp", path: undefined, label: "scp" },
				{ name: "roles", path: undefined, label: "roles" },
			],
			isRevoked: undefined,
			validate: undefined,
			jwks: { cacheMaxAge: 600, cooldown: 30, timeout: 5, staleIfError: 86_400 },
			maxTokenLength: 8192,
			realm: "api",
			allowQueryToken: false,
			allowBodyToken: false,
			tokenCache: { max: 10_000, maxAge: 600 },
			audienceClaim: "aud",
			fetch: globalThis.fetch,
			prefetch: false,
		});
		expect(Object.isFrozen(options)).toBe(true);
		expect([...options.algorithms]).toEqual([
			"RS256",
			"RS384",
			"RS512",
			"PS256",
			"PS384",
			"PS512",
			"ES256",
			"ES384",
			"ES512",
			"EdDSA",
		]);
	});

	it("defaults to HS256 alone with a secret, and keeps no JWKS cache", () => {
		const verifier = createVerifier({ ...BASE, secret: SECRET });
		expect([...verifier.options.algorithms]).toEqual(["HS256"]);
		expect(verifier.options.secret).toEqual(new TextEncoder().encode(SECRET));
		expect(verifier.keys.cacheOf(ISSUER)).toBeUndefined();
		expect(verifier.realm).toBe("api");
	});

	it("does not fetch anything when created", () => {
		const verifier = createVerifier({ ...BASE, jwksUri: "https://auth.example.com/jwks.json" });
		expect(verifier.keys.cacheOf(ISSUER)?.fetches).toBe(0);
	});
});

describe("createVerifier: issuer and audience", () => {
	it("takes strings or arrays", () => {
		const verifier = createVerifier({
			issuer: ["https://a.example", "https://b.example/tenant"],
			audience: ["api://one", "api://two"],
		});
		expect(verifier.options.issuers).toEqual(["https://a.example", "https://b.example/tenant"]);
		expect(verifier.options.audiences).toEqual(["api://one", "api://two"]);
		expect(verifier.keys.cacheOf("https://a.example")).not.toBe(
			verifier.keys.cacheOf("https://b.example/tenant"),
		);
	});

	it("shares one JWKS cache between issuers when jwksUri is given", () => {
		const verifier = createVerifier({
			issuer: ["https://a.example", "https://b.example"],
			audience: AUDIENCE,
			jwksUri: "https://keys.example/jwks.json",
		});
		expect(verifier.keys.cacheOf("https://a.example")).toBe(verifier.keys.cacheOf("https://b.example"));
		expect(verifier.keys.cacheOf("https://a.example")?.uri).toBe("https://keys.example/jwks.json");
		expect(verifier.keys.cacheOf("https://c.example")).toBeUndefined();
	});

	it("accepts any issuer string with a secret or a jwksUri (no discovery needed)", () => {
		expect(createVerifier({ issuer: "my-issuer", audience: "x", secret: SECRET }).options.issuers).toEqual([
			"my-issuer",
		]);
		expect(
			createVerifier({ issuer: "urn:issuer", audience: "x", jwksUri: "http://127.0.0.1/jwks" }).options
				.issuers,
		).toEqual(["urn:issuer"]);
	});

	it.each([
		[
			'"issuer" is required: pass { issuer } or set BEARERGUARD_ISSUER (e.g. "https://auth.example.com/").',
			{ audience: AUDIENCE },
		],
		[
			'"audience" is required: pass { audience } or set BEARERGUARD_AUDIENCE (e.g. "https://api.example.com").',
			{ issuer: ISSUER },
		],
		[
			'"issuer" must be a non-empty string or array of strings (the exact iss value of your tokens).',
			{ ...BASE, issuer: "" },
		],
		[
			'"issuer" must be a non-empty string or array of strings (the exact iss value of your tokens).',
			{ ...BASE, issuer: [] },
		],
		[
			'"issuer" must be a non-empty string or array of strings (the exact iss value of your tokens).',
			{ ...BASE, issuer: [ISSUER, 1] },
		],
		[
			'"issuer" must be a non-empty string or array of strings (the exact iss value of your tokens).',
			{ ...BASE, issuer: { url: ISSUER } },
		],
		[
			'"audience" must be a non-empty string or array of strings (the aud value your API accepts).',
			{ ...BASE, audience: "" },
		],
		[
			'"audience" must be a non-empty string or array of strings (the aud value your API accepts).',
			{ ...BASE, audience: [] },
		],
		[
			'"audience" must be a non-empty string or array of strings (the aud value your API accepts).',
			{ ...BASE, audience: ["a", ""] },
		],
		[
			'"issuer" must be an absolute http(s) URL, got an unparsable value.',
			{ ...BASE, issuer: "auth.example.com" },
		],
		['"issuer" must be an http(s) URL.', { ...BASE, issuer: "ftp://auth.example.com/" }],
		['"issuer" must be an http(s) URL.', { ...BASE, issuer: [ISSUER, "urn:example:issuer"] }],
	])("refuses with: %s", (sentence, options) => {
		expect(configError(options)).toBe(`bearerguard: ${sentence}`);
	});

	it("refuses options that are not an object", () => {
		expect(configError(null)).toBe("bearerguard: options must be an object.");
		expect(configError("https://auth.example.com/")).toBe("bearerguard: options must be an object.");
	});
});

describe("createVerifier: jwksUri and secret", () => {
	it.each([
		[
			'"jwksUri" must be an absolute http(s) URL, got an unparsable value.',
			{ ...BASE, jwksUri: "/jwks.json" },
		],
		['"jwksUri" must be an http(s) URL.', { ...BASE, jwksUri: "file:///etc/jwks.json" }],
		['"secret" must be at least 32 bytes long (RFC 7518 §3.2).', { ...BASE, secret: "short-secret" }],
		['"secret" must be at least 32 bytes long (RFC 7518 §3.2).', { ...BASE, secret: "x".repeat(31) }],
		['"secret" must be at least 32 bytes long (RFC 7518 §3.2).', { ...BASE, secret: new Uint8Array(31) }],
		['"secret" must be at least 32 bytes long (RFC 7518 §3.2).', { ...BASE, secret: "" }],
		['"secret" must be a string or a Uint8Array.', { ...BASE, secret: 12_345_678 }],
		['"secret" must be a string or a Uint8Array.', { ...BASE, secret: ["x".repeat(32)] }],
		[
			'set either "secret" or "jwksUri", not both.',
			{ ...BASE, secret: SECRET, jwksUri: "https://a.example/jwks" },
		],
	])("refuses with: %s", (sentence, options) => {
		expect(configError(options)).toBe(`bearerguard: ${sentence}`);
	});

	it("counts the secret in UTF-8 bytes, not characters", () => {
		expect(createVerifier({ ...BASE, secret: "é".repeat(16) }).options.secret).toHaveLength(32);
		expect(configError({ ...BASE, secret: "é".repeat(15) })).toBe(
			'bearerguard: "secret" must be at least 32 bytes long (RFC 7518 §3.2).',
		);
		expect(createVerifier({ ...BASE, secret: new Uint8Array(32) }).options.secret).toEqual(
			new Uint8Array(32),
		);
		expect(createVerifier({ ...BASE, secret: Buffer.alloc(64, 1) }).options.secret).toHaveLength(64);
	});
});

describe("createVerifier: algorithms", () => {
	it("keeps the allow-list given", () => {
		expect([...createVerifier({ ...BASE, algorithms: ["ES256", "EdDSA"] }).options.algorithms]).toEqual([
			"ES256",
			"EdDSA",
		]);
		expect([
			...createVerifier({ ...BASE, secret: SECRET, algorithms: ["HS256", "HS384", "HS512"] }).options
				.algorithms,
		]).toEqual(["HS256", "HS384", "HS512"]);
	});

	it.each(["none", "NONE", "None", "nOnE"])("refuses %j at configuration time", (alg) => {
		expect(configError({ ...BASE, algorithms: ["RS256", alg] })).toBe(
			'bearerguard: "algorithms" must not contain "none": unsigned tokens are never accepted.',
		);
		expect(configError({ ...BASE, secret: SECRET, algorithms: [alg] })).toBe(
			'bearerguard: "algorithms" must not contain "none": unsigned tokens are never accepted.',
		);
	});

	it.each(["HS256", "HS384", "HS512"])("refuses %s mixed with JWKS keys", (alg) => {
		expect(configError({ ...BASE, algorithms: ["RS256", alg] })).toBe(
			`bearerguard: "algorithms" contains ${alg}, which needs "secret"; HS algorithms are never accepted with JWKS keys.`,
		);
		expect(configError({ ...BASE, jwksUri: "https://a.example/jwks", algorithms: [alg] })).toBe(
			`bearerguard: "algorithms" contains ${alg}, which needs "secret"; HS algorithms are never accepted with JWKS keys.`,
		);
	});

	it.each(["RS256", "ES256", "EdDSA", "PS512"])("refuses %s with a secret", (alg) => {
		expect(configError({ ...BASE, secret: SECRET, algorithms: ["HS256", alg] })).toBe(
			`bearerguard: "algorithms" contains ${alg}, but "secret" is set; with a secret only HS256/HS384/HS512 are allowed.`,
		);
	});

	it.each([["rs256"], ["ES256K"], ["Ed25519"], ["RSA-OAEP"], [""], [256], [null]])(
		"refuses the unsupported algorithm %j",
		(alg) => {
			expect(configError({ ...BASE, algorithms: [alg] })).toBe(
				`bearerguard: "algorithms" contains an unsupported algorithm; use ${ALL_ALGORITHMS}.`,
			);
		},
	);

	it.each([[[]], ["RS256"], [new Set(["RS256"])], [null]])("refuses %j as the list", (algorithms) => {
		expect(configError({ ...BASE, algorithms })).toBe(
			"bearerguard: \"algorithms\" must be a non-empty array such as ['RS256'].",
		);
	});
});

describe("createVerifier: durations", () => {
	it("takes seconds or strings for every duration", () => {
		const { options } = createVerifier({
			...BASE,
			clockTolerance: "30s",
			maxTokenAge: "24h",
			jwks: { cacheMaxAge: "10m", cooldown: "1m", timeout: "500ms", staleIfError: "7d" },
			tokenCache: { maxAge: "2m" },
		});
		expect(options.clockTolerance).toBe(30);
		expect(options.maxTokenAge).toBe(86_400);
		expect(options.jwks).toEqual({ cacheMaxAge: 600, cooldown: 60, timeout: 0.5, staleIfError: 604_800 });
		expect(options.tokenCache).toEqual({ max: 10_000, maxAge: 120 });
		const numeric = createVerifier({
			...BASE,
			clockTolerance: 0,
			maxTokenAge: 90,
			jwks: { timeout: 2 },
		}).options;
		expect([
			numeric.clockTolerance,
			numeric.maxTokenAge,
			numeric.jwks.timeout,
			numeric.jwks.cooldown,
		]).toEqual([0, 90, 2, 30]);
	});

	it.each([
		["clockTolerance", { clockTolerance: -1 }],
		["clockTolerance", { clockTolerance: "5" }],
		["maxTokenAge", { maxTokenAge: "one day" }],
		["maxTokenAge", { maxTokenAge: Number.NaN }],
		["jwks.cacheMaxAge", { jwks: { cacheMaxAge: "10 minutes" } }],
		["jwks.cooldown", { jwks: { cooldown: -30 } }],
		["jwks.timeout", { jwks: { timeout: "5x" } }],
		["jwks.staleIfError", { jwks: { staleIfError: Number.POSITIVE_INFINITY } }],
		["tokenCache.maxAge", { tokenCache: { maxAge: "-1s" } }],
	])("refuses a bad %s", (name, options) => {
		expect(configError({ ...BASE, ...options })).toBe(DURATION(name));
	});

	it("refuses a jwks option that is not an object", () => {
		expect(configError({ ...BASE, jwks: "30s" })).toMatch(/^bearerguard: "jwks" must be /);
		expect(configError({ ...BASE, jwks: 600 })).toMatch(/^bearerguard: "jwks" must be /);
	});
});

describe("createVerifier: claims options", () => {
	it("takes booleans, typ, permissionsClaim, functions, maxTokenLength and realm", () => {
		const isRevoked = () => false;
		const validate = () => true;
		const { options } = createVerifier({
			...BASE,
			requireExpiry: false,
			typ: "application/AT+JWT",
			permissionsClaim: "perms",
			isRevoked,
			validate,
			maxTokenLength: 16,
			realm: 'say "hi" \\ ~',
			allowQueryToken: true,
			allowBodyToken: true,
		});
		expect(options.requireExpiry).toBe(false);
		expect(options.typ).toBe("at+jwt");
		expect(options.permissionsClaims).toEqual([{ name: "perms", path: undefined, label: "perms" }]);
		expect(options.isRevoked).toBe(isRevoked);
		expect(options.validate).toBe(validate);
		expect(options.maxTokenLength).toBe(16);
		expect(options.realm).toBe('say "hi" \\ ~');
		expect([options.allowQueryToken, options.allowBodyToken]).toEqual([true, true]);
		expect(createVerifier({ ...BASE, realm: "" }).realm).toBe("");
		expect(
			createVerifier({
				...BASE,
				permissionsClaim: ["scope", "realm_access.roles", ["resource_access", "my.api", "roles"]],
			}).options.permissionsClaims,
		).toEqual([
			{ name: "scope", path: undefined, label: "scope" },
			{ name: "realm_access.roles", path: ["realm_access", "roles"], label: "realm_access.roles" },
			{
				name: undefined,
				path: ["resource_access", "my.api", "roles"],
				label: "resource_access.my.api.roles",
			},
		]);
	});

	it.each([
		['"requireExpiry" must be true or false.', { requireExpiry: "false" }],
		['"requireExpiry" must be true or false.', { requireExpiry: 0 }],
		['"allowQueryToken" must be true or false.', { allowQueryToken: "yes" }],
		['"allowBodyToken" must be true or false.', { allowBodyToken: 1 }],
		['"typ" must be a non-empty string such as "at+jwt".', { typ: "" }],
		['"typ" must be a non-empty string such as "at+jwt".', { typ: ["at+jwt"] }],
		[
			"\"permissionsClaim\" must be a claim name, or a non-empty list of claim names or paths such as ['scope', 'realm_access.roles'].",
			{ permissionsClaim: [] },
		],
		[
			"\"permissionsClaim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ permissionsClaim: "" },
		],
		[
			"\"permissionsClaim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ permissionsClaim: ["scope", 7] },
		],
		[
			"\"permissionsClaim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ permissionsClaim: [["realm_access", ""]] },
		],
		["\"audienceClaim\" must be a claim name such as 'aud' or 'client_id'.", { audienceClaim: "" }],
		[
			"\"audienceClaim\" must be a claim name such as 'aud' or 'client_id'.",
			{ audienceClaim: ["client_id"] },
		],
		['"fetch" must be a function.', { fetch: "https://proxy.example" }],
		['"isRevoked" must be a function.', { isRevoked: true }],
		['"validate" must be a function.', { validate: "claims.org_id" }],
		['"maxTokenLength" must be a whole number of characters (>= 16).', { maxTokenLength: 15 }],
		['"maxTokenLength" must be a whole number of characters (>= 16).', { maxTokenLength: 1024.5 }],
		['"maxTokenLength" must be a whole number of characters (>= 16).', { maxTokenLength: "8192" }],
		[
			'"maxTokenLength" must be a whole number of characters (>= 16).',
			{ maxTokenLength: Number.POSITIVE_INFINITY },
		],
		['"realm" must be a string of printable ASCII.', { realm: "api\r\nSet-Cookie: a=b" }],
		['"realm" must be a string of printable ASCII.', { realm: "café" }],
		['"realm" must be a string of printable ASCII.', { realm: "tab\there" }],
		['"realm" must be a string of printable ASCII.', { realm: 42 }],
		['"tokenCache" must be false or an object.', { tokenCache: true }],
		['"tokenCache" must be false or an object.', { tokenCache: "off" }],
		['"tokenCache.max" must be a whole number >= 0.', { tokenCache: { max: -1 } }],
		['"tokenCache.max" must be a whole number >= 0.', { tokenCache: { max: 1.5 } }],
	])("refuses with: %s", (sentence, options) => {
		expect(configError({ ...BASE, ...options })).toBe(`bearerguard: ${sentence}`);
	});

	it("turns the token cache off with false or max 0", () => {
		expect(createVerifier({ ...BASE, tokenCache: false }).tokenCache).toBeUndefined();
		expect(createVerifier({ ...BASE, tokenCache: { max: 0 } }).tokenCache).toBeUndefined();
		expect(createVerifier({ ...BASE, tokenCache: { max: 5 } }).options.tokenCache).toEqual({
			max: 5,
			maxAge: 600,
		});
	});
});

describe("createVerifier: organization", () => {
	it("is off by default and with false; true means the defaults", () => {
		expect(createVerifier({ ...BASE, organization: false }).options.organization).toBeUndefined();
		const { organization } = createVerifier({ ...BASE, organization: true }).options;
		expect(organization).toEqual({
			claim: { name: "org_id", path: undefined, label: "org_id" },
			required: true,
			pattern: /^org_[A-Za-z0-9_-]+$/,
			header: undefined,
		});
	});

	it("takes claim, required, pattern and a header name (lower-cased)", () => {
		const pattern = /^[a-z]{3}$/i;
		const { organization } = createVerifier({
			...BASE,
			organization: { claim: "tenant", required: false, pattern, header: "X-Organization-ID" },
		}).options;
		expect(organization).toEqual({
			claim: { name: "tenant", path: undefined, label: "tenant" },
			required: false,
			pattern,
			header: "x-organization-id",
		});
		expect(organization?.pattern).toBe(pattern);
	});

	it.each([
		['"organization" must be true or an object.', { organization: "org_id" }],
		['"organization" must be true or an object.', { organization: null }],
		[
			"\"organization.claim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ organization: { claim: "" } },
		],
		[
			"\"organization.claim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ organization: { claim: 7 } },
		],
		[
			"\"organization.claim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
			{ organization: { claim: ["tenant", ""] } },
		],
		['"organization.pattern" must be a RegExp.', { organization: { pattern: "^org_" } }],
		[
			'"organization.pattern" must not use the g or y flag (it keeps state).',
			{ organization: { pattern: /^org_/g } },
		],
		[
			'"organization.pattern" must not use the g or y flag (it keeps state).',
			{ organization: { pattern: /org_/y } },
		],
		['"organization.required" must be true or false.', { organization: { required: "yes" } }],
		[
			'"organization.header" must be an HTTP header name such as "x-organization-id".',
			{ organization: { header: "x organization" } },
		],
		[
			'"organization.header" must be an HTTP header name such as "x-organization-id".',
			{ organization: { header: "" } },
		],
		[
			'"organization.header" must be an HTTP header name such as "x-organization-id".',
			{ organization: { header: "x-org:" } },
		],
	])("refuses with: %s", (sentence, options) => {
		expect(configError({ ...BASE, ...options })).toBe(`bearerguard: ${sentence}`);
	});
});

describe("resolveOptions and normalizeTyp", () => {
	it("is what createVerifier runs (same result, same errors)", () => {
		expect(resolveOptions({ ...BASE, clockTolerance: "1m" }).clockTolerance).toBe(60);
		expect(() => resolveOptions({ audience: AUDIENCE })).toThrow(TypeError);
	});

	it.each([
		["at+jwt", "at+jwt"],
		["AT+JWT", "at+jwt"],
		["application/at+jwt", "at+jwt"],
		["Application/AT+JWT", "at+jwt"],
		["JWT", "jwt"],
		["application/", ""],
	])("normalizes %j to %j", (typ, normalized) => {
		expect(normalizeTyp(typ)).toBe(normalized);
	});
});
