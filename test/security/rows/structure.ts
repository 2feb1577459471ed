import { randomBytes } from "node:crypto";
import { BAD_SIGNATURE, CRIT, forbidden, httpRefusal, MALFORMED, ok, TOO_LONG } from "../support/answers.js";
import { type AttackContext, type AttackRow, bearer } from "../support/catalog.js";
import { claims, forge, parts, segment } from "../support/forge.js";

/**
 * The shape of the token: RFC 7515 §7.1 compact serialization (three base64url segments, no padding),
 * §4.1.11 `crit`, RFC 7797 `b64`, RFC 8725 §3.3 nested tokens, duplicate members (RFC 7515 §5.2,
 * refused: parser differentials), sizes (`maxTokenLength` 8192 and what the HTTP server refuses), depth.
 */

/** A token signed by the issuer's RS256 key, exactly `length` characters long. */
function tokenOfLength(ctx: AttackContext, length: number): string {
	const base = claims(ctx.target);
	const header = { alg: "RS256", kid: ctx.kid("RS256") };
	for (let spare = 0; spare < 3; spare++) {
		const h = segment({ ...header, pad: "p".repeat(spare) });
		for (let n = 0; n < length; n++) {
			const size = h.length + 1 + segment({ ...base, pad: "x".repeat(n) }).length + 1 + 342;
			if (size === length)
				return ctx.signed("RS256", { ...base, pad: "x".repeat(n) }, { pad: "p".repeat(spare) });
			if (size > length) break;
		}
	}
	throw new Error(`no token of exactly ${length} characters`);
}

/** Valid claims as JSON text with `tail` appended inside the object. */
function claimsText(ctx: AttackContext, tail: string, extra: Record<string, unknown> = {}): string {
	return `${JSON.stringify(claims(ctx.target, extra)).slice(0, -1)},${tail}}`;
}

function headerText(ctx: AttackContext, text: (kid: string) => string): string {
	return text(ctx.kid("RS256"));
}

/** A valid token with its segments rewritten by `edit`. */
function edited(ctx: AttackContext, edit: (h: string, p: string, s: string) => string): string {
	const [h, p, s] = parts(ctx.signed("RS256"));
	return edit(h, p, s);
}

/** Flips an unused low bit of a base64url segment's last character: other text, same bytes. */
function nonCanonical(value: string): string {
	if (value.length % 4 < 2) throw new Error("a segment without spare bits has no non-canonical twin");
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	return value.slice(0, -1) + alphabet[alphabet.indexOf(value.at(-1) ?? "A") ^ 1];
}

export const structureRows: AttackRow[] = [
	...[2, 4].map(
		(count): AttackRow => ({
			name: `${count} segments instead of 3`,
			expect: MALFORMED,
			request: (ctx) => bearer(parts(ctx.signed("RS256")).concat("x").slice(0, count).join(".")),
		}),
	),
	{ name: "1 segment", expect: MALFORMED, request: (ctx) => bearer(parts(ctx.signed("RS256"))[0]) },
	{
		name: "empty signature segment (h.p.), RS256 header",
		expect: BAD_SIGNATURE,
		request: (ctx) => bearer(edited(ctx, (h, p) => `${h}.${p}.`)),
	},
	{
		name: "empty payload segment (h..s)",
		expect: MALFORMED,
		request: (ctx) => bearer(edited(ctx, (h, _p, s) => `${h}..${s}`)),
	},
	{
		name: "empty header segment (.p.s)",
		expect: MALFORMED,
		request: (ctx) => bearer(edited(ctx, (_h, p, s) => `.${p}.${s}`)),
	},
	{
		name: "a JWE (five segments, RFC 7516 compact)",
		expect: MALFORMED,
		request: () =>
			bearer(
				[
					{ alg: "RSA-OAEP-256", enc: "A256GCM" },
					randomBytes(256),
					randomBytes(12),
					randomBytes(64),
					randomBytes(16),
				]
					.map((x) => segment(x))
					.join("."),
			),
	},
	{
		name: "signature segment with base64 padding (=)",
		expect: MALFORMED,
		request: (ctx) => bearer(edited(ctx, (h, p, s) => `${h}.${p}.${s}==`)),
	},
	{
		name: "header segment in the standard base64 alphabet (+)",
		expect: MALFORMED,
		request: (ctx) => bearer(edited(ctx, (h, p, s) => `${h}+.${p}.${s}`)),
	},
	{
		name: "signature segment re-encoded non-canonically (same bytes): refused, so one signature has one spelling",
		expect: MALFORMED,
		request: (ctx) => bearer(edited(ctx, (h, p, s) => `${h}.${p}.${nonCanonical(s)}`)),
	},
	{
		name: "header segment re-encoded non-canonically (same bytes): the signature covers the text, refused",
		expect: BAD_SIGNATURE,
		request: (ctx) => {
			let filler = "";
			while (segment({ alg: "RS256", kid: ctx.kid("RS256"), a: filler }).length % 4 < 2) filler += "b";
			const [h, p, s] = parts(ctx.signed("RS256", {}, { a: filler }));
			return bearer(`${nonCanonical(h)}.${p}.${s}`);
		},
	},
	{
		name: "header is a JSON array",
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", {}, `[{"alg":"RS256","kid":"${ctx.kid("RS256")}"}]`)),
	},
	{
		name: "header is JSON null",
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", {}, "null")),
	},
	{
		name: "header starts with a UTF-8 byte-order mark",
		expect: MALFORMED,
		request: (ctx) =>
			bearer(
				ctx.signed(
					"RS256",
					{},
					headerText(ctx, (kid) => `\uFEFF{"alg":"RS256","kid":"${kid}"}`),
				),
			),
	},
	{
		name: "payload is a JSON string",
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", '"admin"')),
	},
	{ name: "payload is a JSON number", expect: MALFORMED, request: (ctx) => bearer(ctx.signed("RS256", "1")) },
	{
		name: 'nested JWT: cty "JWT" and a compact JWS as the payload (RFC 8725 §3.3, never unwrapped)',
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", ctx.signed("RS256"), { cty: "JWT" })),
	},
	{
		name: "invalid UTF-8 bytes in a header string, signed by the attacker (RFC 8725 §3.7)",
		expect: BAD_SIGNATURE,
		request: (ctx) =>
			bearer(
				forge({
					header: Buffer.concat([
						Buffer.from('{"alg":"RS256","x":"'),
						Buffer.from([0xff, 0xfe]),
						Buffer.from('"}'),
					]),
					payload: claims(ctx.target),
					alg: "RS256",
					key: ctx.attacker.rsa.privateKey,
				}),
			),
	},
	{
		name: 'duplicate "alg" in the header, "none" first (parser differential), signed by the real key',
		expect: MALFORMED,
		request: (ctx) =>
			bearer(
				ctx.signed(
					"RS256",
					{},
					headerText(ctx, (kid) => `{"alg":"none","alg":"RS256","kid":"${kid}"}`),
				),
			),
	},
	{
		name: 'duplicate "alg" in the header, "none" last, signed by the real key',
		expect: MALFORMED,
		request: (ctx) =>
			bearer(
				ctx.signed(
					"RS256",
					{},
					headerText(ctx, (kid) => `{"alg":"RS256","kid":"${kid}","alg":"none"}`),
				),
			),
	},
	{
		name: 'duplicate "alg" in the header spelled with an escape ("\\u0061lg")',
		expect: MALFORMED,
		request: (ctx) =>
			bearer(
				ctx.signed(
					"RS256",
					{},
					headerText(ctx, (kid) => `{"alg":"RS256","kid":"${kid}","\\u0061lg":"none"}`),
				),
			),
	},
	{
		name: 'duplicate "sub" in the payload, signed by the real key',
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", claimsText(ctx, '"sub":"admin"'))),
	},
	{
		name: 'duplicate "iss" in the payload, signed by the real key',
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", claimsText(ctx, '"iss":"https://evil.example"'))),
	},
	{
		name: "duplicate member nested inside a claim object",
		expect: MALFORMED,
		request: (ctx) => bearer(ctx.signed("RS256", claimsText(ctx, '"ext":{"role":"user","role":"admin"}'))),
	},
	{
		name: 'payload "__proto__": {"permissions": ["write"]} (prototype pollution), on a route that requires write',
		expect: forbidden("write"),
		request: (ctx) =>
			bearer(
				ctx.signed("RS256", claimsText(ctx, '"__proto__":{"permissions":["write"]}')),
				"default",
				"write",
			),
	},
	{
		name: 'crit ["exp"] naming an extension bearerguard does not understand (RFC 7515 §4.1.11; CVE-2026-35042 fast-jwt)',
		expect: CRIT,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { crit: ["exp"], exp: 1 })),
	},
	{
		name: "crit [] (empty list, forbidden by RFC 7515 §4.1.11)",
		expect: CRIT,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { crit: [] })),
	},
	{
		name: 'crit "b64" as a string, not a list',
		expect: CRIT,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { crit: "b64" })),
	},
	{
		name: 'b64: false with crit ["b64"] (RFC 7797 unencoded payload)',
		expect: CRIT,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { b64: false, crit: ["b64"] })),
	},
	{
		name: "b64: false without crit",
		expect: CRIT,
		request: (ctx) => bearer(ctx.signed("RS256", {}, { b64: false })),
	},
	{
		name: "token of exactly 8192 characters (maxTokenLength), signed by the real key",
		expect: ok(),
		request: (ctx) => bearer(tokenOfLength(ctx, 8192)),
	},
	{
		name: "token of 8 KiB + 1 byte (8193 characters), signed by the real key: refused before parsing",
		expect: TOO_LONG,
		request: (ctx) => bearer(tokenOfLength(ctx, 8193)),
	},
	{
		name: "token of 1 MiB: Node's HTTP server refuses the header (431, max header size 16 KiB) before any middleware",
		expect: httpRefusal(431, "Request Header Fields Too Large"),
		request: () => ({ ...bearer("a".repeat(1024 * 1024)), raw: true }),
	},
	{
		name: "2,000 nested arrays in a claim of a token signed by the real key: nesting is capped at 32 levels",
		expect: MALFORMED,
		request: (ctx) =>
			bearer(ctx.signed("RS256", claimsText(ctx, `"deep":${"[".repeat(2000)}${"]".repeat(2000)}`))),
	},
	{
		name: "31 nested arrays in a claim of a token signed by the real key (32 levels with the payload): accepted",
		expect: ok(),
		request: (ctx) =>
			bearer(ctx.signed("RS256", claimsText(ctx, `"deep":${"[".repeat(31)}${"]".repeat(31)}`))),
	},
	{
		name: "800 nested objects in the payload, signed by the attacker: refused for its depth, before the signature",
		expect: MALFORMED,
		request: (ctx) =>
			bearer(
				forge({
					header: { alg: "RS256" },
					payload: claimsText(ctx, `"deep":${'{"a":'.repeat(800)}1${"}".repeat(800)}`),
					alg: "RS256",
					key: ctx.attacker.rsa.privateKey,
				}),
			),
	},
];
