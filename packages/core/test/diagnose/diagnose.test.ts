import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type CheckName,
	createVerifier,
	type DiagnoseOptions,
	type DiagnosisCheck,
	type ErrorReason,
	FIXES,
	type VerifierOptions,
} from "../../src/index.js";
import { closedPortUrl } from "../support/faulty-servers.js";
import { forge, segment, withSignature } from "../support/tokens.js";

let issuer: TestIssuer;
let other: TestIssuer;
let down: string;
beforeAll(async () => {
	[issuer, other] = await Promise.all([
		createTestIssuer({ audience: "https://api.example" }),
		createTestIssuer(),
	]);
	down = await closedPortUrl("");
});
afterAll(async () => {
	await Promise.all([issuer.close(), other.close()]);
});

const now = () => Math.floor(Date.now() / 1000);
const base = (): VerifierOptions => ({ issuer: issuer.issuer, audience: "https://api.example" });

interface Case {
	readonly name: string;
	readonly options?: () => VerifierOptions;
	readonly token: () => Promise<string>;
	readonly request?: DiagnoseOptions;
	/** The check that fails, its reason, and its detail (a string, or a pattern). */
	readonly fails: readonly [CheckName, ErrorReason, string | RegExp];
	/** The verdict's reason (the first failure in the middleware's order), when not the same. */
	readonly verdict?: ErrorReason;
}

const rsa = () => issuer.privateKey("RS256");
const kidOf = async () =>
	JSON.parse(Buffer.from((await issuer.sign()).split(".")[0] as string, "base64url").toString())
		.kid as string;
const claims = (extra: Record<string, unknown> = {}) => ({
	iss: issuer.issuer,
	aud: "https://api.example",
	sub: "user_1",
	iat: now(),
	exp: now() + 600,
	...extra,
});

const cases: readonly Case[] = [
	{
		name: "length",
		options: () => ({ ...base(), maxTokenLength: 100 }),
		token: () => issuer.sign(),
		fails: ["length", "token_too_long", /^\d+ characters \(at most 100\)$/],
	},
	{
		name: "format: two parts",
		token: async () => "abc.def",
		fails: [
			"format",
			"token_malformed",
			"2 parts where a JWS has three (header.payload.signature): the token looks cut short, or it is not a JWT",
		],
	},
	{
		name: "format: a JWE",
		token: async () => "a.b.c.d.e",
		fails: [
			"format",
			"token_malformed",
			"five parts: a JWE (an encrypted token), which is never decrypted here",
		],
	},
	{
		name: "format: quotes",
		token: async () => `"${await issuer.sign()}"`,
		fails: [
			"format",
			"token_malformed",
			'the header holds "\\"" (at its character 1), outside base64url: quotes, spaces, padding "=" or a base64 (not base64url) encoding',
		],
	},
	{
		name: "format: cut in the payload",
		token: async () => {
			const [h, p] = (await issuer.sign()).split(".") as [string, string];
			return `${h}.${p.slice(0, 40)}.`;
		},
		fails: [
			"format",
			"token_malformed",
			"the payload is not valid JSON: the token looks cut short or edited",
		],
	},
	{
		name: "format: cut in the signature (not a whole base64url encoding)",
		token: async () => (await issuer.sign()).slice(0, -1), // 341 characters: no base64url length
		fails: [
			"format",
			"token_malformed",
			/^the signature's length or last character is not a whole base64url encoding: the token looks cut short/,
		],
	},
	{
		name: "format: a duplicate member",
		token: async () =>
			forge({ alg: "RS256", kid: await kidOf() }, `{"sub":"a","sub":"b","iss":"${issuer.issuer}"}`, rsa()),
		fails: [
			"format",
			"token_malformed",
			"a JSON member name appears twice in the header or payload (refused: parsers would disagree on its value)",
		],
	},
	{
		name: "algorithm",
		options: () => ({ ...base(), algorithms: ["ES256", "EdDSA"] }),
		token: () => issuer.sign(),
		fails: ["algorithm", "alg_not_allowed", 'RS256 is not one of "algorithms" (ES256, EdDSA)'],
	},
	{
		name: "critical",
		token: async () => forge({ alg: "RS256", kid: await kidOf(), crit: ["exp"] }, claims(), rsa()),
		fails: ["critical", "crit_unsupported", "the header has crit"],
	},
	{
		name: "type",
		options: () => ({ ...base(), typ: "at+jwt" }),
		token: () => issuer.sign({}, { header: { typ: "JWT" } }),
		fails: ["type", "typ_mismatch", 'typ "JWT" where at+jwt is required'],
	},
	{
		name: "issuer",
		token: () => other.sign({ aud: "https://api.example" }),
		fails: [
			"issuer",
			"issuer_mismatch",
			/^the token has iss "http:\/\/127\.0\.0\.1:\d+"; expected one of the configured issuers \["http:\/\/127\.0\.0\.1:\d+"\]$/,
		],
	},
	{
		name: "key: unknown kid",
		token: () => issuer.sign({}, { kid: "retired-2019" }),
		fails: [
			"key",
			"kid_unknown",
			'no usable RS256 key with kid "retired-2019" in the issuer\'s JWKS, even after a refetch',
		],
	},
	{
		name: "key: issuer down",
		options: () => ({ issuer: down, audience: "https://api.example" }),
		token: () => issuer.sign({ iss: down }),
		fails: [
			"key",
			"discovery_failed",
			/^no metadata could be had for http:\/\/127\.0\.0\.1:\d+: GET .* failed: ECONNREFUSED/,
		],
	},
	{
		name: "signature: another token's",
		token: async () =>
			withSignature(
				await issuer.sign({ sub: "a" }),
				(await issuer.sign({ sub: "b" })).split(".")[2] as string,
			),
		fails: ["signature", "signature_invalid", "the signature does not verify with the 1 candidate key"],
	},
	{
		name: "signature: cut short in whole characters",
		// 342 base64url characters for 256 bytes; 340 are 255 whole bytes.
		token: async () => (await issuer.sign()).slice(0, -2),
		fails: [
			"signature",
			"signature_invalid",
			"the signature is 255 bytes where RS256 with this key makes 256: the token looks cut short (copied incompletely?)",
		],
	},
	{
		name: "claims",
		token: async () => forge({ alg: "RS256", kid: await kidOf() }, claims({ exp: "tomorrow" }), rsa()),
		fails: ["claims", "claim_invalid", 'exp is "tomorrow", not a number of seconds'],
		verdict: "claim_invalid",
	},
	{
		name: "audience",
		token: () => issuer.sign({ aud: ["https://a.example", "https://b.example"] }),
		fails: [
			"audience",
			"audience_mismatch",
			'the token has aud ["https://a.example","https://b.example"]; expected one of the accepted audiences ["https://api.example"]',
		],
	},
	{
		name: "expiry: expired",
		token: () => issuer.sign({}, { expiresIn: -7200 }),
		fails: ["expiry", "token_expired", /^expired 2 h ago \(exp \d{4}-.*Z; clock tolerance 5 s\)$/],
	},
	{
		name: "expiry: none",
		token: () => issuer.sign({}, { expiresIn: null }),
		fails: ["expiry", "expiry_missing", "the token has no exp"],
	},
	{
		name: "not-before",
		token: () => issuer.sign({}, { notBefore: 3600 }),
		fails: [
			"not-before",
			"not_yet_valid",
			/^valid only from \d{4}-.*Z, in (59 min 5\d s|1 h) \(clock tolerance 5 s\)$/,
		],
	},
	{
		name: "age",
		options: () => ({ ...base(), maxTokenAge: 60 }),
		token: () => issuer.sign({}, { iat: now() - 600 }),
		fails: ["age", "token_too_old", /^issued \d{4}-.*Z, 10 min( \d s)? ago \(maxTokenAge 60 s\)$/],
	},
	{
		name: "custom",
		options: () => ({ ...base(), validate: () => false }),
		token: () => issuer.sign(),
		fails: ["custom", "validation_failed", "the verification answered validation_failed"],
	},
	{
		name: "organization: invalid",
		options: () => ({ ...base(), organization: true }),
		token: () => issuer.sign({ org_id: "acme" }),
		fails: [
			"organization",
			"organization_invalid",
			"the org_id claim is missing or does not match /^org_[A-Za-z0-9_-]+$/",
		],
	},
	{
		name: "organization: another one",
		options: () => ({ ...base(), organization: true }),
		token: () => issuer.sign({ org_id: "org_acme" }),
		request: { organization: "org_other" },
		fails: [
			"organization",
			"organization_mismatch",
			'the request\'s organization "org_other" is not the token\'s "org_acme"',
		],
	},
	{
		name: "permissions",
		token: () => issuer.sign({ permissions: ["read"], scope: "profile" }),
		request: { permissions: ["read", "write"] },
		fails: [
			"permissions",
			"insufficient_scope",
			"requires all of read write; the token grants: read profile",
		],
	},
];

const ORDER: readonly CheckName[] = [
	"length",
	"format",
	"algorithm",
	"critical",
	"type",
	"issuer",
	"key",
	"signature",
	"claims",
	"audience",
	"expiry",
	"not-before",
	"age",
	"custom",
	"organization",
	"permissions",
];

describe("verifier.diagnose()", () => {
	it.each(cases)(
		"fails the $name check with its reason, detail and fix, and gives the middleware's verdict",
		async (test) => {
			const verifier = createVerifier(test.options?.() ?? base());
			const diagnosis = await verifier.diagnose(await test.token(), test.request);
			expect(diagnosis.checks.map((check) => check.name)).toEqual(ORDER);
			const [name, reason, detail] = test.fails;
			const check = diagnosis.checks.find((found) => found.name === name) as DiagnosisCheck;
			expect({ ...check, detail: "" }).toEqual({
				name,
				status: "fail",
				detail: "",
				reason,
				fix: FIXES[reason],
			});
			if (typeof detail === "string") expect(check.detail).toBe(detail);
			else expect(check.detail).toMatch(detail);
			expect(typeof check.fix).toBe("string");
			expect(diagnosis.accepted).toBe(false);
			expect(diagnosis.verdict.reason).toBe(test.verdict ?? reason);
			expect(
				diagnosis.checks.filter((found) => found.status === "fail").map((found) => found.name),
			).toContain(name);
		},
	);

	it("passes every check of a good token and says the middleware accepts it", async () => {
		const verifier = createVerifier({
			...base(),
			organization: true,
			maxTokenAge: 600,
			typ: "at+jwt",
			validate: () => true,
		});
		const token = await issuer.sign(
			{ org_id: "org_acme", permissions: ["read", "write"], client_id: "app_1" },
			{ header: { typ: "at+jwt" } },
		);
		const diagnosis = await verifier.diagnose(token, { permissions: ["write"], organization: "org_acme" });
		expect(diagnosis.checks.filter((check) => check.status !== "pass")).toEqual([]);
		expect(diagnosis.accepted).toBe(true);
		expect(diagnosis.verdict).toEqual({
			status: 200,
			error: undefined,
			reason: undefined,
			message: undefined,
		});
		expect(diagnosis.claims?.org_id).toBe("org_acme");
		expect(diagnosis.header?.typ).toBe("at+jwt");
	});

	it("goes on past a failure: an expired token for another audience fails both", async () => {
		const verifier = createVerifier(base());
		const diagnosis = await verifier.diagnose(
			await issuer.sign({ aud: "https://else.example" }, { expiresIn: -60 }),
		);
		expect(diagnosis.checks.filter((check) => check.status === "fail").map((check) => check.reason)).toEqual([
			"audience_mismatch",
			"token_expired",
		]);
		expect(diagnosis.verdict).toEqual({
			status: 401,
			error: "invalid_token",
			reason: "audience_mismatch",
			message: "Unexpected token audience",
		});
	});

	it("skips, and says why, what is not configured or cannot be reached", async () => {
		const verifier = createVerifier(base());
		const diagnosis = await verifier.diagnose(await other.sign());
		const skipped = Object.fromEntries(
			diagnosis.checks.filter((check) => check.status === "skip").map((check) => [check.name, check.detail]),
		);
		expect(skipped).toEqual({
			type: 'no "typ" required',
			key: "not looked up: keys are fetched only for a configured issuer",
			signature: "no key to check it with",
			age: 'no "maxTokenAge" set',
			custom: "no validate or isRevoked configured",
			organization: 'organization checks are off ("organization")',
			permissions: "none required; the token grants: nothing",
		});
	});

	it("takes only a string", async () => {
		await expect(createVerifier(base()).diagnose(42 as never)).rejects.toThrow(
			new TypeError("bearerguard: diagnose() takes the token as a string."),
		);
	});

	it("is what segment() tokens say too: a header without alg", async () => {
		const diagnosis = await createVerifier(base()).diagnose(
			`${segment({ typ: "JWT" })}.${segment(claims())}.c2ln`,
		);
		expect(diagnosis.checks[1]).toMatchObject({
			name: "format",
			status: "fail",
			detail: "the header has no alg string",
		});
	});
});
