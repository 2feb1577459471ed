import { KeyObject, type webcrypto } from "node:crypto";
import {
	createVerifier,
	extractBearerToken,
	type HeadersLike,
	type VerifierInternals,
} from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../../packages/core/src/config/options.js";
import { checkStaticClaims, checkTimeClaims, readPermissions } from "../../packages/core/src/token/claims.js";
import {
	authorizationHeader,
	claimValue,
	mutate,
	mutations,
	parameterContainer,
	tokenShaped,
} from "./support/arbitraries.js";
import { type Attacker, startAttacker } from "./support/attacker.js";
import { claims, forge, parts } from "./support/forge.js";
import { expectDocumentedError, runs, settle } from "./support/oracle.js";

/**
 * Property-based fuzzing of the core: the Authorization parser, the claims checks and the verifier
 * never throw anything but documented `BearerError`s, and never accept a token the issuer did not sign.
 * Sizes are CI-sized; `BEARERGUARD_FUZZ_SCALE=100` (scripts/fuzz-nightly.ts) multiplies every run count.
 */

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const NOW = () => Date.now() / 1000;

let issuer: TestIssuer;
let attacker: Attacker;
let verifier: VerifierInternals;
let validTokens: string[];
const started = Date.now();

beforeAll(async () => {
	issuer = await createTestIssuer({ algorithms: ["RS256", "ES256", "PS256", "EdDSA"] });
	attacker = await startAttacker();
	verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri });
	validTokens = await Promise.all(
		(["RS256", "ES256", "PS256", "EdDSA"] as const).map((alg) =>
			issuer.sign({ permissions: ["read"] }, { alg }),
		),
	);
	for (const token of validTokens) await verifier.verify(token);
});

afterAll(async () => {
	await Promise.all([issuer.close(), attacker.close()]);
});

describe("extractBearerToken (RFC 6750 §2.1, §2.3)", () => {
	const property = runs(3000);
	it(`returns a token68 taken from the request, or throws a documented 400/401 (${property.numRuns} runs)`, () => {
		fc.assert(
			fc.property(
				authorizationHeader,
				fc.option(parameterContainer),
				fc.option(parameterContainer),
				fc.constantFrom(undefined, "application/x-www-form-urlencoded", "application/json"),
				(authorization, query, body, contentType) => {
					const headers = { authorization, "content-type": contentType } as HeadersLike;
					const options = query === null && body === null ? undefined : { query, body };
					let token: string;
					try {
						token = extractBearerToken(headers, options);
					} catch (error) {
						expectDocumentedError(error, [400, 401]);
						const status = (error as { status?: number }).status;
						if (status === 401) expect((error as { reason?: string }).reason).toBe("token_missing");
						return;
					}
					expect(token).toMatch(TOKEN68);
					const sources = [authorization, JSON.stringify(query ?? null), JSON.stringify(body ?? null)].flat();
					expect(sources.some((source) => typeof source === "string" && source.includes(token))).toBe(true);
				},
			),
			{ numRuns: property.numRuns },
		);
	});
});

describe("claims checks (RFC 7519 §4.1, RFC 9068 §2.2)", () => {
	const options = resolveOptions({
		issuer: "https://issuer.test",
		audience: "https://api.test",
		jwksUri: "https://issuer.test/jwks",
	});
	const strict = resolveOptions({
		issuer: "https://issuer.test",
		audience: "https://api.test",
		jwksUri: "https://issuer.test/jwks",
		typ: "at+jwt",
		maxTokenAge: 3600,
	});
	const claimSet = fc.record(
		{
			iss: fc.oneof(fc.constant("https://issuer.test"), claimValue),
			aud: fc.oneof(fc.constant("https://api.test"), fc.constant(["x", "https://api.test"]), claimValue),
			exp: fc.oneof(
				fc.integer({ min: -100, max: 100 }).map((d) => Math.floor(NOW()) + d * 60),
				claimValue,
			),
			nbf: fc.oneof(
				fc.integer({ min: -100, max: 100 }).map((d) => Math.floor(NOW()) + d * 60),
				claimValue,
			),
			iat: fc.oneof(
				fc.integer({ min: -100, max: 100 }).map((d) => Math.floor(NOW()) + d * 60),
				claimValue,
			),
			sub: claimValue,
			jti: claimValue,
			client_id: claimValue,
			permissions: claimValue,
			scope: claimValue,
			roles: claimValue,
		},
		{ requiredKeys: [] },
	);
	const property = runs(3000);
	it(`pass only well-typed, matching, current claims, or throw a documented 401 (${property.numRuns} runs)`, () => {
		fc.assert(
			fc.property(claimSet, fc.boolean(), (set, useStrict) => {
				const resolved = useStrict ? strict : options;
				const now = NOW();
				try {
					checkStaticClaims(set, resolved);
					checkTimeClaims(set, resolved, now);
					const permissions = readPermissions(set, resolved.permissionsClaims);
					for (const permission of permissions) expect(typeof permission).toBe("string");
				} catch (error) {
					expectDocumentedError(error, [401]);
					return;
				}
				expect(set.iss).toBe("https://issuer.test");
				expect([set.aud].flat()).toContain("https://api.test");
				expect(typeof set.exp === "number" && Number.isFinite(set.exp) && set.exp > now - 5).toBe(true);
				for (const name of ["nbf", "iat"] as const) {
					const value = set[name];
					expect(value === undefined || (typeof value === "number" && Number.isFinite(value))).toBe(true);
				}
			}),
			{ numRuns: property.numRuns },
		);
	});
});

/** Whether two compact tokens decode to the same header, payload and signature bytes. */
function sameDecoding(a: string, b: string): boolean {
	const [ha, pa, sa] = parts(a);
	const [hb, pb, sb] = parts(b);
	const decode = (s: string) => Buffer.from(s, "base64url");
	return ha === hb && pa === pb && decode(sa).equals(decode(sb)) && b.split(".").length === 3;
}

describe("verifier", () => {
	const shaped = runs(1000);
	it(
		`refuses any token-shaped or random string with a documented 401 (${shaped.numRuns} runs)`,
		async () => {
			await fc.assert(
				fc.asyncProperty(tokenShaped, async (token) => {
					const result = await settle(() => verifier.verify(token), [401]);
					expect(result.ok).toBe(false);
				}),
				{ numRuns: shaped.numRuns },
			);
		},
		shaped.timeout,
	);

	const mutated = runs(1500);
	it(
		`accepts a mutated valid token only when it decodes to the very same bytes (${mutated.numRuns} runs)`,
		async () => {
			await fc.assert(
				fc.asyncProperty(fc.nat(3), mutations, async (which, edits) => {
					const original = validTokens[which] as string;
					const token = mutate(original, edits);
					const result = await settle(() => verifier.verify(token), [401]);
					if (result.ok)
						expect({ token, same: sameDecoding(original, token) }).toEqual({ token, same: true });
				}),
				{ numRuns: mutated.numRuns },
			);
		},
		mutated.timeout,
	);

	const forged = runs(600);
	it(
		`refuses random headers and claims signed with any key but the issuer's (${forged.numRuns} runs)`,
		async () => {
			const rsaPem = KeyObject.from(issuer.publicKey("RS256") as webcrypto.CryptoKey)
				.export({ format: "pem", type: "spki" })
				.toString();
			const kids = issuer.jwks.keys.map((key) => key.kid as string);
			const signer = fc.constantFrom(
				{ alg: "RS256", key: attacker.rsa.privateKey },
				{ alg: "PS256", key: attacker.rsa.privateKey },
				{ alg: "ES256", key: attacker.ec.privateKey },
				{ alg: "HS256", key: rsaPem },
				{ alg: "HS256", key: "" },
				{ alg: "none", key: undefined },
			);
			const header = fc.record(
				{
					alg: fc.oneof(
						fc.constantFrom("RS256", "ES256", "PS256", "EdDSA", "HS256", "none", "None"),
						claimValue,
					),
					kid: fc.oneof(
						fc.constantFrom(...kids, attacker.rsa.kid, "../../dev/null", "undefined"),
						claimValue,
					),
					typ: fc.oneof(fc.constantFrom("JWT", "at+jwt"), claimValue),
					jku: fc.constant(`${attacker.url}/jwks.json`),
					x5u: fc.constant(`${attacker.url}/cert.pem`),
					jwk: fc.constantFrom(...attacker.jwks.keys),
					x5c: fc.constant([attacker.certificate]),
					crit: fc.oneof(fc.constant([]), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 })),
				},
				{ requiredKeys: [] },
			);
			const extra = fc.dictionary(
				fc.constantFrom("sub", "scope", "permissions", "exp", "iat", "nbf", "aud", "org_id", "x"),
				claimValue,
			);
			await fc.assert(
				fc.asyncProperty(signer, header, extra, fc.boolean(), async (sign, head, more, keepAlg) => {
					const target = { issuer: issuer.issuer, audience: issuer.audience };
					const token = forge({
						header: keepAlg ? { ...head, alg: sign.alg } : head,
						payload: claims(target, more),
						alg: sign.alg,
						key: sign.key,
						sig: sign.key === undefined ? new Uint8Array(0) : undefined,
					});
					const result = await settle(() => verifier.verify(token), [401]);
					expect(result.ok).toBe(false);
				}),
				{ numRuns: forged.numRuns },
			);
		},
		forged.timeout,
	);

	const signed = runs(400);
	it(
		`checks random claims signed by the issuer: accepted only when well-formed, else a documented 401 (${signed.numRuns} runs)`,
		async () => {
			// Signed with node:crypto, not the issuer's jose signer, which refuses non-finite NumericDates.
			const edKey = KeyObject.from(issuer.privateKey("EdDSA") as webcrypto.CryptoKey);
			const edKid = issuer.jwks.keys.find((key) => key.alg === "EdDSA")?.kid;
			const extra = fc.dictionary(
				fc.constantFrom("sub", "scope", "permissions", "roles", "exp", "iat", "nbf", "aud", "iss", "jti"),
				claimValue,
			);
			await fc.assert(
				fc.asyncProperty(extra, async (more) => {
					const token = forge({
						header: { alg: "EdDSA", kid: edKid },
						payload: claims({ issuer: issuer.issuer, audience: issuer.audience }, more),
						alg: "EdDSA",
						key: edKey,
					});
					const result = await settle(() => verifier.verify(token), [401]);
					if (!result.ok) return;
					const { claims: c } = result.value;
					expect(c.iss).toBe(issuer.issuer);
					expect([c.aud].flat()).toContain(issuer.audience);
					expect(typeof c.exp === "number" && c.exp > NOW() - 5).toBe(true);
					for (const permission of result.value.permissions) expect(typeof permission).toBe("string");
				}),
				{ numRuns: signed.numRuns },
			);
		},
		signed.timeout,
	);

	it("fetched the JWKS once plus at most one refetch per 30 s cooldown, and never the attacker's URLs", () => {
		const cooldowns = Math.floor((Date.now() - started) / 30_000);
		expect(verifier.keys.cacheOf(issuer.issuer)?.fetches).toBeLessThanOrEqual(2 + cooldowns);
		expect(attacker.requests).toBe(0);
	});
});
