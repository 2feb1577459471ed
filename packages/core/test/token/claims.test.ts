import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toClaimPath } from "../../src/config/claim-path.js";
import { resolveOptions } from "../../src/config/options.js";
import { createVerifier, type VerifierOptions } from "../../src/index.js";
import { checkStaticClaims, checkTimeClaims, readPermissions } from "../../src/token/claims.js";
import {
	advanceClock,
	expectRefusal,
	freezeClock,
	NOW,
	refusal,
	thrownBy,
	unfreezeClock,
} from "../support/refusals.js";

const ISS = "https://issuer.example";
const AUD = "https://api.example";
const options = (extra: VerifierOptions = {}) => resolveOptions({ issuer: ISS, audience: AUD, ...extra });
const base = { iss: ISS, aud: AUD, sub: "u", exp: NOW + 60, iat: NOW, jti: "j", client_id: "c" };

describe("checkStaticClaims", () => {
	it("accepts well-typed claims", () => {
		expect(checkStaticClaims(base, options())).toBeUndefined();
		expect(checkStaticClaims({ ...base, aud: ["x", AUD] }, options())).toBeUndefined();
		expect(checkStaticClaims({ ...base, nbf: NOW, extra: { any: ["thing"] } }, options())).toBeUndefined();
	});

	it.each<[string, Record<string, unknown>]>([
		["exp as a string", { exp: String(NOW + 60) }],
		["exp as null", { exp: null }],
		["exp as the string NaN", { exp: "NaN" }],
		["nbf as a boolean", { nbf: true }],
		["exp as Infinity (1e400 in JSON)", { exp: JSON.parse("1e400") }],
		["iat as a string", { iat: "2030-01-01T00:00:00Z" }],
		["iat as an array", { iat: [NOW] }],
		["sub as a number", { sub: 123 }],
		["sub as null", { sub: null }],
		["iss as an array", { iss: [ISS] }],
		["jti as a number", { jti: 7 }],
		["client_id as an object", { client_id: { id: "c" } }],
		["aud as an object", { aud: { 0: AUD } }],
		["aud as a number", { aud: 1 }],
		["aud as an array holding a number", { aud: [AUD, 1] }],
		["aud as an array holding null", { aud: [AUD, null] }],
		["aud as null", { aud: null }],
	])("refuses %s as claim_invalid", (_label, claims) => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, ...claims }, options())),
			"claim_invalid",
		);
	});

	it("checks types before the issuer, and the issuer before the audience", () => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, iss: "https://evil.example", exp: "x" }, options())),
			"claim_invalid",
		);
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, iss: "https://evil.example", aud: "x" }, options())),
			"issuer_mismatch",
		);
	});

	it.each<[string, Record<string, unknown>]>([
		["another issuer", { iss: "https://evil.example" }],
		["the issuer with a trailing slash", { iss: `${ISS}/` }],
		["the issuer in another case", { iss: ISS.toUpperCase() }],
		["no issuer", { iss: undefined }],
	])("refuses %s as issuer_mismatch (exact match)", (_label, claims) => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, ...claims }, options())),
			"issuer_mismatch",
		);
	});

	it.each<[string, Record<string, unknown>]>([
		["another audience", { aud: "https://other.example" }],
		["an empty array", { aud: [] }],
		["no audience", { aud: undefined }],
		["a prefix of the audience", { aud: "https://api" }],
	])("refuses %s as audience_mismatch", (_label, claims) => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, ...claims }, options())),
			"audience_mismatch",
		);
	});

	it("matches any of several issuers and audiences", () => {
		const several = options({ issuer: ["https://a.example", ISS], audience: ["api://one", AUD] });
		expect(checkStaticClaims({ ...base, aud: ["api://zero", "api://one"] }, several)).toBeUndefined();
		expect(checkStaticClaims({ ...base, iss: "https://a.example" }, several)).toBeUndefined();
	});

	it("requires exp unless requireExpiry is false", () => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, exp: undefined }, options())),
			"expiry_missing",
		);
		expect(checkStaticClaims({ ...base, exp: undefined }, options({ requireExpiry: false }))).toBeUndefined();
	});

	it.each(["iss", "exp", "aud", "sub", "client_id", "iat", "jti"])(
		"requires %s in RFC 9068 strict mode (typ at+jwt)",
		(name) => {
			const strict = options({ typ: "at+jwt", requireExpiry: false });
			expect(checkStaticClaims(base, strict)).toBeUndefined();
			expectRefusal(
				thrownBy(() => checkStaticClaims({ ...base, [name]: undefined }, strict)),
				"claim_invalid",
			);
		},
	);

	it("does not require RFC 9068 claims for another typ", () => {
		expect(checkStaticClaims({ iss: ISS, aud: AUD, exp: NOW }, options({ typ: "JWT" }))).toBeUndefined();
	});
});

describe("checkTimeClaims", () => {
	it("refuses exp at now - tolerance, accepts it a second earlier", () => {
		const o = options({ clockTolerance: 5 });
		expect(checkTimeClaims({ exp: 1000 }, o, 1004.999)).toBeUndefined();
		expectRefusal(
			thrownBy(() => checkTimeClaims({ exp: 1000 }, o, 1005)),
			"token_expired",
		);
		expectRefusal(
			thrownBy(() => checkTimeClaims({ exp: 1000 }, options({ clockTolerance: 0 }), 1000)),
			"token_expired",
		);
		expect(checkTimeClaims({ exp: 1000 }, options({ clockTolerance: 0 }), 999.999)).toBeUndefined();
	});

	it("refuses nbf after now + tolerance, accepts it at the edge", () => {
		const o = options({ clockTolerance: "10s" });
		expect(checkTimeClaims({ nbf: 1010 }, o, 1000)).toBeUndefined();
		expectRefusal(
			thrownBy(() => checkTimeClaims({ nbf: 1010.5 }, o, 1000)),
			"not_yet_valid",
		);
	});

	it("checks iat against maxTokenAge, with the tolerance", () => {
		const o = options({ maxTokenAge: 60, clockTolerance: 5 });
		expect(checkTimeClaims({ iat: 1000 }, o, 1065)).toBeUndefined();
		expectRefusal(
			thrownBy(() => checkTimeClaims({ iat: 1000 }, o, 1065.5)),
			"token_too_old",
		);
		expect(checkTimeClaims({ iat: 1005 }, o, 1000)).toBeUndefined();
		expectRefusal(
			thrownBy(() => checkTimeClaims({ iat: 1005.5 }, o, 1000)),
			"issued_in_future",
		);
		expectRefusal(
			thrownBy(() => checkTimeClaims({}, o, 1000)),
			"claim_invalid",
		);
	});

	it("ignores iat without maxTokenAge", () => {
		expect(checkTimeClaims({ iat: 9e9 }, options(), 1000)).toBeUndefined();
	});

	it("checks exp before nbf before iat", () => {
		const o = options({ maxTokenAge: 1, clockTolerance: 0 });
		expectRefusal(
			thrownBy(() => checkTimeClaims({ exp: 1, nbf: 5000, iat: 1 }, o, 1000)),
			"token_expired",
		);
		expectRefusal(
			thrownBy(() => checkTimeClaims({ exp: 5000, nbf: 5000, iat: 1 }, o, 1000)),
			"not_yet_valid",
		);
	});
});

describe("readPermissions", () => {
	const names = ["permissions", "scope", "scp", "roles"].map((name) => toClaimPath(name, "permissionsClaim"));

	it("merges every claim; strings are split on spaces", () => {
		expect(
			[
				...readPermissions(
					{
						permissions: ["read", "write"],
						scope: " openid  profile read ",
						scp: "a",
						roles: ["ROLE_ADMIN"],
					},
					names,
				),
			].sort(),
		).toEqual(["ROLE_ADMIN", "a", "openid", "profile", "read", "write"]);
	});

	it("is empty without any of the claims, or with empty values", () => {
		expect(readPermissions({ sub: "u" }, names).size).toBe(0);
		expect(readPermissions({ scope: "", permissions: [] }, names).size).toBe(0);
	});

	it("reads only the configured claims", () => {
		expect([
			...readPermissions({ scope: "read", perms: "write" }, [toClaimPath("perms", "permissionsClaim")]),
		]).toEqual(["write"]);
	});

	it("splits on spaces only: other whitespace stays inside a permission", () => {
		expect([...readPermissions({ scope: "read\twrite" }, names)]).toEqual(["read\twrite"]);
	});

	it.each<[string, unknown]>([
		["a number", 7],
		["an object", { read: true }],
		["a boolean", true],
		["null", null],
		["an array holding a number", ["read", 1]],
		["an array of arrays", [["read"]]],
	])("refuses %s as claim_invalid, never a silent empty set", (_label, value) => {
		expectRefusal(
			thrownBy(() => readPermissions({ permissions: value }, names)),
			"claim_invalid",
		);
	});
});

describe("claims through a real issuer and createVerifier", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ algorithms: ["ES256"] });
	});
	afterAll(() => issuer.close());
	afterEach(() => unfreezeClock());

	const verifier = (extra: VerifierOptions = {}) =>
		createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri, ...extra });

	it.each<[string, Record<string, unknown>]>([
		["exp as a string", { exp: "4102444800" }],
		["aud as an object", { aud: { url: "https://api.example.test" } }],
		["iat as a string", { iat: "1700000000" }],
		["sub as a number", { sub: 12_345 }],
		["nbf as a string", { nbf: "0" }],
		["jti as an object", { jti: { id: 1 } }],
		["permissions as a number", { permissions: 1 }],
		["scope as an array of numbers", { scope: [1, 2] }],
		["roles as an object", { roles: { admin: true } }],
	])("refuses a signed token with %s as claim_invalid", async (_label, claims) => {
		await refusal(verifier().verify(await issuer.sign(claims)), "claim_invalid");
	});

	it("accepts any of several issuers and audiences", async () => {
		const v = verifier({
			issuer: ["https://other.example", issuer.issuer],
			audience: ["api://x", issuer.audience],
		});
		const auth = await v.verify(await issuer.sign({ aud: ["api://y", "api://x"] }));
		expect(auth.issuer).toBe(issuer.issuer);
		expect(auth.claims.aud).toEqual(["api://y", "api://x"]);
		await refusal(v.verify(await issuer.sign({ aud: ["api://y"] })), "audience_mismatch");
		await refusal(v.verify(await issuer.sign({ iss: "https://third.example" })), "issuer_mismatch");
	});

	it("applies the clock tolerance to exp and nbf (default 5 s, strings too)", async () => {
		freezeClock();
		const v = verifier({ tokenCache: false });
		const token = await issuer.sign({}, { expiresIn: 10, notBefore: 3 });
		expect((await v.verify(token)).expiresAt).toBe(NOW + 10);
		advanceClock(14);
		expect((await v.verify(token)).subject).toBe("user_123");
		advanceClock(1);
		await refusal(v.verify(token), "token_expired");

		const future = await issuer.sign({}, { notBefore: 6 });
		await refusal(v.verify(future), "not_yet_valid");
		const strict = verifier({ clockTolerance: 0, tokenCache: false });
		await refusal(strict.verify(await issuer.sign({}, { notBefore: 1 })), "not_yet_valid");
		const lenient = verifier({ clockTolerance: "1m", tokenCache: false });
		expect((await lenient.verify(await issuer.sign({}, { expiresIn: -59 }))).subject).toBe("user_123");
		await refusal(lenient.verify(await issuer.sign({}, { expiresIn: -60 })), "token_expired");
	});

	it("refuses tokens older than maxTokenAge and tokens issued in the future", async () => {
		freezeClock();
		const v = verifier({ maxTokenAge: "1h", clockTolerance: 0 });
		expect((await v.verify(await issuer.sign({}, { iat: NOW - 3600, expiresIn: "1d" }))).subject).toBe(
			"user_123",
		);
		await refusal(v.verify(await issuer.sign({}, { iat: NOW - 3601, expiresIn: "1d" })), "token_too_old");
		await refusal(v.verify(await issuer.sign({}, { iat: NOW + 1 })), "issued_in_future");
		await refusal(v.verify(await issuer.sign({ iat: undefined })), "claim_invalid");
		// A cached token grows old too.
		const token = await issuer.sign({}, { expiresIn: "1d" });
		await v.verify(token);
		advanceClock(3601);
		await refusal(v.verify(token), "token_too_old");
	});

	it("admits never-expiring tokens only with requireExpiry false", async () => {
		const token = await issuer.sign({ jti: "personal-token-1" }, { expiresIn: null });
		await refusal(verifier().verify(token), "expiry_missing");
		const auth = await verifier({ requireExpiry: false }).verify(token);
		expect(auth.expiresAt).toBeUndefined();
		expect(auth.claims.exp).toBeUndefined();
		expect(auth.claims.jti).toBe("personal-token-1");
	});

	describe("typ 'at+jwt' (RFC 9068 strict mode)", () => {
		const rfc9068 = { client_id: "client-1" };

		it.each(["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"])(
			"accepts typ %j",
			async (typ) => {
				const auth = await verifier({ typ: "at+jwt" }).verify(
					await issuer.sign(rfc9068, { header: { typ } }),
				);
				expect(auth.header?.typ).toBe(typ);
				expect(auth.claims.client_id).toBe("client-1");
			},
		);

		it("accepts configuration as application/at+jwt too", async () => {
			const v = verifier({ typ: "application/at+jwt" });
			expect((await v.verify(await issuer.sign(rfc9068, { header: { typ: "at+jwt" } }))).subject).toBe(
				"user_123",
			);
		});

		it.each<[string, unknown]>([
			["JWT", "JWT"],
			["no typ", undefined],
			["jwt", "jwt"],
			["at+jwt with a suffix", "at+jwt; charset=utf-8"],
			["application/jwt", "application/jwt"],
			["a number", 1],
		])("refuses %s as typ_mismatch", async (_label, typ) => {
			await refusal(
				verifier({ typ: "at+jwt" }).verify(await issuer.sign(rfc9068, { header: { typ } })),
				"typ_mismatch",
			);
		});

		it.each(["client_id", "sub", "jti", "iat", "exp"])(
			"refuses a token without %s as claim_invalid",
			async (name) => {
				const token = await issuer.sign({ ...rfc9068, [name]: undefined }, { header: { typ: "at+jwt" } });
				await refusal(verifier({ typ: "at+jwt", requireExpiry: false }).verify(token), "claim_invalid");
			},
		);

		it("does not check typ without the option", async () => {
			expect((await verifier().verify(await issuer.sign({}, { header: { typ: "JWT" } }))).subject).toBe(
				"user_123",
			);
			expect((await verifier().verify(await issuer.sign({}, { header: { typ: "dpop+jwt" } }))).subject).toBe(
				"user_123",
			);
		});
	});
});

describe("audienceClaim", () => {
	const cognito = () => options({ audience: "client-1", audienceClaim: "client_id" });
	const { aud: _aud, ...withoutAud } = base;

	it("checks the named claim against audience, instead of aud", () => {
		expect(checkStaticClaims({ ...withoutAud, client_id: "client-1" }, cognito())).toBeUndefined();
		// client_id is a registered string claim (RFC 9068): an array is refused, whatever audienceClaim says.
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud, client_id: ["client-1"] }, cognito())),
			"claim_invalid",
		);
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud, client_id: "client-2" }, cognito())),
			"audience_mismatch",
		);
		// aud alone no longer counts.
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud, client_id: undefined, aud: "client-1" }, cognito())),
			"audience_mismatch",
		);
	});

	it("reads the claim as the token's own member, and refuses one of the wrong type", () => {
		const proto = options({ audience: "client-1", audienceClaim: "constructor" });
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud }, proto)),
			"audience_mismatch",
		);
		const custom = options({ audience: "client-1", audienceClaim: "azp" });
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud, azp: { id: "client-1" } }, custom)),
			"claim_invalid",
		);
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...withoutAud, azp: [1] }, custom)),
			"claim_invalid",
		);
		expect(checkStaticClaims({ ...withoutAud, azp: "client-1" }, custom)).toBeUndefined();
	});

	it("still refuses an aud of the wrong type", () => {
		expectRefusal(
			thrownBy(() => checkStaticClaims({ ...base, aud: { x: 1 }, client_id: "client-1" }, cognito())),
			"claim_invalid",
		);
	});
});
