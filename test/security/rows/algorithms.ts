import { createHmac, randomBytes } from "node:crypto";
import { ALG_NOT_ALLOWED, BAD_SIGNATURE, MALFORMED } from "../support/answers.js";
import { type AttackContext, type AttackRow, bearer } from "../support/catalog.js";
import { claims, forge, segment } from "../support/forge.js";

/**
 * RFC 8725 §2.1, §3.1, §3.2: the algorithm is the verifier's choice, never the token's. `alg: none`
 * in every spelling, HS256 keyed with the RSA public key in every form it is published in, and the
 * algorithm names that are not signature algorithms at all.
 */

const NONE_SPELLINGS = ["none", "None", "NONE", "nOnE"] as const;

function unsigned(ctx: AttackContext, alg: unknown, sig?: Uint8Array): string {
	return forge({ header: { alg, typ: "JWT" }, payload: claims(ctx.target, { permissions: ["write"] }), sig });
}

/** HS256 over a valid payload, keyed with `secret`: what an algorithm-confusion attacker sends. */
function hs256(
	ctx: AttackContext,
	secret: string | Uint8Array,
	header: Record<string, unknown> = {},
): string {
	return forge({
		header: { alg: "HS256", typ: "JWT", ...header },
		payload: claims(ctx.target, { permissions: ["write"] }),
		alg: "HS256",
		key: secret,
	});
}

const noneRows: AttackRow[] = NONE_SPELLINGS.flatMap((spelling): AttackRow[] => [
	{
		name: `alg "${spelling}" without a signature, an unsecured JWS (CVE-2015-9235 jsonwebtoken; CVE-2022-23540 jsonwebtoken default algorithm; koa-jwt < 4.0.4 through it)`,
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(unsigned(ctx, spelling), "default", "write"),
	},
	{
		name: `alg "${spelling}" with a signature segment`,
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(unsigned(ctx, spelling, randomBytes(256)), "default", "write"),
	},
]);

export const algorithmRows: AttackRow[] = [
	...noneRows,
	{
		name: 'alg "none" with a signature, against a shared-secret (HS256) verifier',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(unsigned(ctx, "none", randomBytes(32)), "secret"),
	},
	{
		name: 'alg "none" without a signature, against a shared-secret (HS256) verifier',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(unsigned(ctx, "none"), "secret"),
	},
	{
		name: "algorithm confusion: HS256 keyed with the RSA public key as SPKI PEM (CVE-2015-9235 jsonwebtoken; CVE-2016-10555 jwt-simple)",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, ctx.rsaPublic.spki, { kid: ctx.kid("RS256") }), "default", "write"),
	},
	{
		name: 'algorithm confusion: HS256 keyed with the RSA public key as PKCS#1 PEM "BEGIN RSA PUBLIC KEY" (CVE-2023-48223 fast-jwt)',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, ctx.rsaPublic.pkcs1, { kid: ctx.kid("RS256") }), "default", "write"),
	},
	{
		name: "algorithm confusion: HS256 keyed with whitespace + the RSA PEM (CVE-2026-34950 fast-jwt, incomplete fix of CVE-2023-48223)",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, `\n ${ctx.rsaPublic.spki}`), "default", "write"),
	},
	{
		name: "algorithm confusion: HS256 keyed with the RSA public key as DER",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, ctx.rsaPublic.der), "default", "write"),
	},
	{
		name: "algorithm confusion: HS256 keyed with the RSA public key as JWK JSON (CVE-2020-15084 express-jwt + jwks-rsa; CVE-2022-23541 jsonwebtoken)",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, ctx.rsaPublic.jwk, { kid: ctx.kid("RS256") }), "default", "write"),
	},
	{
		name: "HS256 keyed with an empty secret, as a kid-lookup fallback of '' would (CVE-2026-44351 fast-jwt)",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(hs256(ctx, "", { kid: "not-a-kid" }), "default", "write"),
	},
	{
		name: "HS256 keyed with an empty secret, against a shared-secret verifier (CVE-2026-44351 fast-jwt)",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(hs256(ctx, ""), "secret", "write"),
	},
	{
		name: "HS256 keyed with the RSA public key PEM, against a shared-secret verifier",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(hs256(ctx, ctx.rsaPublic.spki), "secret", "write"),
	},
	{
		name: "HS256 naming a kid, against a shared-secret verifier: token data never selects the key (CVE-2025-65945 node-jws)",
		expect: BAD_SIGNATURE,
		request: (ctx) =>
			bearer(hs256(ctx, "attacker-chosen-secret-that-is-long-enough!", { kid: "x" }), "secret"),
	},
	{
		name: "RS256 token (real issuer key) against a shared-secret verifier: asymmetric algorithms are not allowed there",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(ctx.signed("RS256"), "secret"),
	},
	{
		name: "HS384 with the real shared secret when only HS256 is allowed (RFC 8725 §3.1 allow-list)",
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => {
			const input = `${segment({ alg: "HS384" })}.${segment(claims(ctx.target))}`;
			const mac = createHmac("sha384", ctx.issuer.secret).update(input).digest("base64url");
			return bearer(`${input}.${mac}`, "secret");
		},
	},
	{
		name: 'alg "RS256 " (trailing space), signed with the real key',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { alg: "RS256 " })),
	},
	{
		name: 'alg "rs256" (lower case), signed with the real key',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { alg: "rs256" })),
	},
	{
		name: 'alg "ES256K" (not a JWS algorithm bearerguard knows)',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) => bearer(unsigned(ctx, "ES256K", randomBytes(64))),
	},
	{
		name: "alg as a number (256)",
		expect: MALFORMED,
		request: (ctx) => bearer(unsigned(ctx, 256, randomBytes(64))),
	},
	{
		name: 'alg as an array (["RS256"])',
		expect: MALFORMED,
		request: (ctx) => bearer(unsigned(ctx, ["RS256"], randomBytes(64))),
	},
	{
		name: "no alg member at all",
		expect: MALFORMED,
		request: (ctx) =>
			bearer(forge({ header: { typ: "JWT" }, payload: claims(ctx.target), sig: randomBytes(64) })),
	},
	{
		name: 'JWS-shaped token with alg "PBES2-HS256+A128KW" and p2c 2^31 (CVE-2022-36083 jose PBES2 DoS): refused before any KDF',
		expect: ALG_NOT_ALLOWED,
		request: (ctx) =>
			bearer(
				forge({
					header: { alg: "PBES2-HS256+A128KW", enc: "A128GCM", p2c: 2 ** 31, p2s: "AAAAAAAAAAAAAAAAAAAAAA" },
					payload: claims(ctx.target),
					sig: randomBytes(16),
				}),
			),
	},
	{
		name: "JWE with PBES2 and p2c 2^31, five segments (CVE-2022-36083 jose): never decrypted",
		expect: MALFORMED,
		request: () => {
			const header = segment({ alg: "PBES2-HS256+A128KW", enc: "A128GCM", p2c: 2 ** 31, p2s: "AAAA" });
			return bearer(
				`${header}.${segment(randomBytes(24))}.${segment(randomBytes(12))}.${segment(randomBytes(64))}.${segment(randomBytes(16))}`,
			);
		},
	},
	{
		name: 'JWE with zip "DEF" over a deflate bomb, five segments (RFC 8725 §3.6; CVE-2024-28176 jose decompression): never inflated',
		expect: MALFORMED,
		request: () => {
			const header = segment({ alg: "dir", enc: "A256GCM", zip: "DEF" });
			return bearer(
				`${header}..${segment(randomBytes(12))}.${segment(randomBytes(512))}.${segment(randomBytes(16))}`,
			);
		},
	},
];
