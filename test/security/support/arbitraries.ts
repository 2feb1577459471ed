import fc from "fast-check";

/**
 * fast-check arbitraries for the fuzzers: `Authorization` values, token-shaped strings, mutations of
 * a valid token, and attacker-chosen headers and claims.
 */

const TOKEN68 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(""));

/** A string of token68 characters, sometimes with padding. */
export const token68 = fc
	.tuple(
		fc.string({ unit: chars(TOKEN68), minLength: 0, maxLength: 60 }),
		fc.string({ unit: fc.constant("="), maxLength: 3 }),
	)
	.map(([body, pad]) => body + pad);

/** Scheme spellings, some of them wrong. */
const scheme = fc.constantFrom(
	"Bearer",
	"bearer",
	"BEARER",
	"bEaReR",
	"Basic",
	"Bearer:",
	"Bearers",
	"Token",
	"",
	"DPoP",
);
/** Separators between scheme and token, most of them wrong. */
const separator = fc.constantFrom(" ", "  ", "   ", "\t", " \t", "", ",", ", ", "=", "\u00a0");
/** What may trail the token. */
const trailer = fc.constantFrom("", ",", " ", " x", ", Basic abc", "\t", "==", ";", " Bearer x");

/** `Authorization` values: structured near-misses of `Bearer <token68>`, and arbitrary strings. */
export const authorizationValue = fc.oneof(
	fc.tuple(scheme, separator, token68, trailer).map((parts) => parts.join("")),
	fc.string({ maxLength: 80 }),
	fc.string({ unit: "binary", maxLength: 40 }),
	fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);

/** Header values a Node HTTP client will send (no control characters other than tab). */
export const sendableAuthorization = authorizationValue.filter((value) =>
	/^[\t\x20-\x7e\x80-\xff]*$/.test(value),
);

/** A `HeadersLike` authorization member: absent, one value, or several. */
export const authorizationHeader = fc.oneof(
	fc.constant(undefined),
	authorizationValue,
	fc.array(authorizationValue, { minLength: 0, maxLength: 3 }),
);

/** A query or form body that may carry `access_token`. */
export const parameterContainer = fc.oneof(
	fc.constant(undefined),
	fc.constant(null),
	fc.record(
		{ access_token: fc.oneof(token68, fc.string(), fc.array(token68, { maxLength: 2 }), fc.jsonValue()) },
		{ requiredKeys: [] },
	),
	fc.jsonValue(),
);

/** Three (or some other number of) base64url segments of JSON or noise. */
export const tokenShaped = fc.oneof(
	fc
		.array(fc.string({ unit: chars(BASE64URL), maxLength: 40 }), { minLength: 1, maxLength: 6 })
		.map((s) => s.join(".")),
	fc
		.tuple(fc.jsonValue(), fc.jsonValue(), fc.uint8Array({ maxLength: 80 }))
		.map(([h, p, s]) =>
			[JSON.stringify(h) ?? "", JSON.stringify(p) ?? "", s]
				.map((x) => Buffer.from(x).toString("base64url"))
				.join("."),
		),
	fc.string({ maxLength: 100 }),
);

/** One edit of a token's text. */
export type Mutation =
	| { readonly kind: "replace"; readonly at: number; readonly char: string }
	| { readonly kind: "insert"; readonly at: number; readonly char: string }
	| { readonly kind: "delete"; readonly at: number }
	| { readonly kind: "truncate"; readonly at: number }
	| { readonly kind: "swap"; readonly a: number; readonly b: number };

const anyChar = fc.oneof(chars(`${BASE64URL}.=+/`), fc.string({ minLength: 1, maxLength: 1 }));

/** 1 to 4 edits at positions given as fractions of the token's length. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
	fc.oneof(
		fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), char: anyChar }),
		fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), char: anyChar }),
		fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
		fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
		fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
	),
	{ minLength: 1, maxLength: 4 },
);

/** Applies the edits in order. */
export function mutate(token: string, edits: readonly Mutation[]): string {
	let text = token;
	for (const edit of edits) {
		const n = Math.max(1, text.length);
		switch (edit.kind) {
			case "replace": {
				const at = edit.at % n;
				text = text.slice(0, at) + edit.char + text.slice(at + 1);
				break;
			}
			case "insert": {
				const at = edit.at % (n + 1);
				text = text.slice(0, at) + edit.char + text.slice(at);
				break;
			}
			case "delete": {
				const at = edit.at % n;
				text = text.slice(0, at) + text.slice(at + 1);
				break;
			}
			case "truncate":
				text = text.slice(0, edit.at % n);
				break;
			case "swap": {
				const segments = text.split(".");
				const a = edit.a % segments.length;
				const b = edit.b % segments.length;
				[segments[a], segments[b]] = [segments[b] as string, segments[a] as string];
				text = segments.join(".");
				break;
			}
		}
	}
	return text;
}

/** JSON values that are often the wrong type for a registered claim. */
export const claimValue = fc.oneof(
	fc.jsonValue(),
	fc.integer(),
	fc.double(),
	fc.constantFrom("NaN", "Infinity", "-1", "1e400", "", " ", "read write", "__proto__"),
	fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
	fc.constant(null),
);
