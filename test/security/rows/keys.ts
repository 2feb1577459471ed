import { sign } from "node:crypto";
import { expect } from "vitest";
import { BAD_SIGNATURE, KID_UNKNOWN, MALFORMED, ok, WRONG_ISSUER } from "../support/answers.js";
import { type AttackContext, type AttackRow, bearer } from "../support/catalog.js";
import { claims, ecdsaOf, forge, P256_ORDER, parts, withEcdsa } from "../support/forge.js";

/**
 * RFC 8725 §3.10 (do not trust received claims) and RFC 7515 §4.1.2-§4.1.6: the key comes from the
 * configured issuer's JWKS only. `jku`, `x5u`, `x5c` and `jwk` name the attacker's own key; `kid` is
 * an opaque lookup string, never a path or a query; a key is used only for its own type and `alg`.
 */

/** A token signed with the attacker's RSA key, with these header members over `{ alg: RS256 }`. */
function attackerRsa(ctx: AttackContext, header: Record<string, unknown>): string {
	return forge({
		header: { alg: "RS256", typ: "JWT", ...header },
		payload: claims(ctx.target, { permissions: ["admin", "write"] }),
		alg: "RS256",
		key: ctx.attacker.rsa.privateKey,
	});
}

const kidInjections: Array<[string, unknown]> = [
	["path traversal", "../../../../dev/null"],
	["path traversal to a key file", "../../../../../etc/ssl/private/server.key"],
	["SQL injection", "' OR 1=1 --"],
	["SQL UNION", "x' UNION SELECT 'secret' --"],
	["shell substitution", "$(id)"],
	["shell backticks", "`id`"],
	["NoSQL operator as a string", '{"$ne":null}'],
	["NUL byte", "kid\u0000.pem"],
	["4,000 characters", "k".repeat(4000)],
	["an empty string", ""],
	["__proto__", "__proto__"],
	["constructor", "constructor"],
];

const kidRows: AttackRow[] = kidInjections.map(([label, kid]) => ({
	name: `kid ${label} (${JSON.stringify(kid).slice(0, 40)}), signed by the attacker`,
	expect: KID_UNKNOWN,
	request: (ctx) => bearer(attackerRsa(ctx, { kid }), "default", "write"),
}));

/** An ES256 token signed by the issuer's real EC key, with `(r, s)` rewritten by `tamper`. */
function tamperedEs256(ctx: AttackContext, tamper: (r: bigint, s: bigint) => [bigint, bigint]): string {
	const token = ctx.signed("ES256");
	const { r, s } = ecdsaOf(token);
	const [r2, s2] = tamper(r, s);
	return withEcdsa(token, r2, s2);
}

export const keyRows: AttackRow[] = [
	...kidRows,
	{
		name: "kid as a number (RFC 7515 §4.1.4: a string)",
		expect: MALFORMED,
		request: (ctx) => bearer(attackerRsa(ctx, { kid: 42 })),
	},
	{
		name: 'kid as an object with "toString" (CVE-2022-23529 jsonwebtoken, object injection)',
		expect: MALFORMED,
		request: (ctx) => bearer(attackerRsa(ctx, { kid: { toString: "x", valueOf: 1 } })),
	},
	{
		name: "kid null",
		expect: MALFORMED,
		request: (ctx) => bearer(attackerRsa(ctx, { kid: null })),
	},
	{
		name: "the issuer's real RSA kid, signed by the attacker's RSA key",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(attackerRsa(ctx, { kid: ctx.kid("RS256") }), "default", "write"),
	},
	{
		name: "no kid, signed by the attacker's RSA key (every issuer RSA key is tried, none verifies)",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(attackerRsa(ctx, {}), "default", "write"),
	},
	{
		name: "kid of another key type: ES256 token (the issuer's own EC key) naming the issuer's RSA key (CVE-2022-23539 jsonwebtoken)",
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(ctx.signed("ES256", {}, { kid: ctx.kid("RS256") })),
	},
	{
		name: "kid of another key type: RS256 token (the issuer's own RSA key) naming the issuer's EC key",
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { kid: ctx.kid("ES256") })),
	},
	{
		name: 'PS256 signed with the RSA key whose JWK pins "alg": "RS256"',
		expect: KID_UNKNOWN,
		request: (ctx) => {
			const token = forge({
				header: { alg: "PS256", kid: ctx.kid("RS256") },
				payload: claims(ctx.target),
				alg: "PS256",
				key: ctx.privateKey("RS256"),
			});
			return bearer(token);
		},
	},
	{
		name: "no kid, signed by the issuer's real RSA key (control: accepted)",
		expect: ok(),
		request: (ctx) => bearer(ctx.signed("RS256", {}, { kid: undefined })),
	},
	{
		name: 'kid "undefined" (the string), signed by the real key, right after a kid-less token was verified (lookup-key collision)',
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { kid: "undefined" })),
		async before(ctx, _request, send) {
			expect((await send(bearer(ctx.signed("RS256", {}, { kid: undefined })))).status).toBe(200);
		},
	},
	{
		name: "25 random unknown kids in a row (jwks-rsa: random kids reach the JWKS endpoint unless rateLimit is set): each 401, fetches bounded (see the side-effect check)",
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(attackerRsa(ctx, { kid: `random-${Math.random()}` })),
		async before(ctx, _request, send) {
			for (let i = 0; i < 24; i++) {
				const reply = await send(bearer(attackerRsa(ctx, { kid: `random-${i}-${Math.random()}` })));
				expect(reply.status).toBe(401);
			}
		},
	},
	{
		name: 'kid "null" (the string), signed by the real key',
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { kid: "null" })),
	},
	{
		name: "two trusted issuers: a token naming issuer A, signed by issuer B's key under B's kid (keys of the named issuer only; CVE-2025-59936 get-jwks)",
		expect: KID_UNKNOWN,
		request: async (ctx) =>
			bearer(await ctx.foreign.sign({ iss: ctx.target.issuer, permissions: ["write"] }), "multi"),
	},
	{
		name: "two trusted issuers: a token of issuer B signed by B's key (control: accepted)",
		expect: ok(["write"]),
		request: async (ctx) => bearer(await ctx.foreign.sign({ permissions: ["write"] }), "multi", "write"),
	},
	{
		name: "two trusted issuers: a token naming issuer B, signed by issuer A's key under A's kid",
		expect: KID_UNKNOWN,
		request: (ctx) => bearer(ctx.signed("RS256", { iss: ctx.foreign.issuer }), "multi"),
	},
	{
		name: "jku naming the attacker's JWKS, kid of the attacker's key: no request reaches it (RFC 8725 §3.10)",
		expect: KID_UNKNOWN,
		request: (ctx) =>
			bearer(
				attackerRsa(ctx, { jku: `${ctx.attacker.url}/jwks.json`, kid: ctx.attacker.rsa.kid }),
				"default",
				"write",
			),
	},
	{
		name: "jku naming the attacker's JWKS, kid of the issuer's key",
		expect: BAD_SIGNATURE,
		request: (ctx) =>
			bearer(attackerRsa(ctx, { jku: `${ctx.attacker.url}/jwks.json`, kid: ctx.kid("RS256") })),
	},
	{
		name: "x5u naming the attacker's certificate: no request reaches it",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(attackerRsa(ctx, { x5u: `${ctx.attacker.url}/cert.pem` }), "default", "write"),
	},
	{
		name: "x5c carrying the attacker's self-signed certificate (and x5t#S256 of it)",
		expect: BAD_SIGNATURE,
		request: (ctx) =>
			bearer(attackerRsa(ctx, { x5c: [ctx.attacker.certificate], "x5t#S256": "AAAA" }), "default", "write"),
	},
	{
		name: "embedded jwk of the attacker's RSA key (CVE-2018-0114 node-jose)",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(attackerRsa(ctx, { jwk: ctx.attacker.jwks.keys[0] }), "default", "write"),
	},
	{
		name: "embedded jwk of the attacker's EC key, ES256 (CVE-2018-0114 node-jose)",
		expect: BAD_SIGNATURE,
		request: (ctx) => {
			const token = forge({
				header: { alg: "ES256", jwk: ctx.attacker.jwks.keys[1] },
				payload: claims(ctx.target, { permissions: ["write"] }),
				alg: "ES256",
				key: ctx.attacker.ec.privateKey,
			});
			return bearer(token, "default", "write");
		},
	},
	{
		name: "iss naming the attacker's server (its discovery + JWKS): never fetched (CVE-2025-59936 get-jwks cache poisoning)",
		expect: WRONG_ISSUER,
		request: (ctx) =>
			bearer(
				forge({
					header: { alg: "RS256", kid: ctx.attacker.rsa.kid },
					payload: claims({ issuer: ctx.attacker.url, audience: ctx.target.audience }),
					alg: "RS256",
					key: ctx.attacker.rsa.privateKey,
				}),
			),
	},
	{
		name: 'ECDSA signature of all zeros, r = s = 0 (CVE-2022-21449 "psychic signatures")',
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(tamperedEs256(ctx, () => [0n, 0n])),
	},
	{
		name: "ECDSA r = n (the P-256 order), s kept (RFC 8725 §3.4)",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(tamperedEs256(ctx, (_r, s) => [P256_ORDER, s])),
	},
	{
		name: "ECDSA s = n, r kept",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(tamperedEs256(ctx, (r) => [r, P256_ORDER])),
	},
	{
		name: "ECDSA r = s = n",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(tamperedEs256(ctx, () => [P256_ORDER, P256_ORDER])),
	},
	{
		name: "ECDSA r = s = 1",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(tamperedEs256(ctx, () => [1n, 1n])),
	},
	{
		name: "ECDSA signature DER-encoded instead of JOSE r||s (RFC 7518 §3.4)",
		expect: BAD_SIGNATURE,
		request: (ctx) => {
			const [h, p] = parts(ctx.signed("ES256"));
			const der = sign("sha256", Buffer.from(`${h}.${p}`), ctx.privateKey("ES256"));
			return bearer(`${h}.${p}.${der.toString("base64url")}`);
		},
	},
	{
		name: "ECDSA s' = n - s, the malleable twin of a valid signature: valid ECDSA, accepted (another token string with the same claims: revoke by jti, not by token string)",
		expect: ok(),
		request: (ctx) => bearer(tamperedEs256(ctx, (r, s) => [r, P256_ORDER - s])),
	},
];
