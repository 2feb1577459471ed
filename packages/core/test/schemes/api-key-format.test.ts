import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey } from "../../src/index.js";
import {
	formatApiKey,
	formatCheck,
	isBearerguardApiKey,
	MAX_API_KEY_LENGTH,
} from "../../src/schemes/api-key-format.js";

/**
 * The keys of the bodies 32 × 0x00, 32 × 0xff and 0x00..0x1f, as packages/testing/test/api-key.test.ts
 * pins them for the test issuer's generator: both packages make the same keys.
 */
const KNOWN_KEYS = [
	"bgk_000000000000000000000000000000000000000000037uvFZ",
	"bgk_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp101RWHp",
	"bgk_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf2U8M7F",
];
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Base62 by repeated division of a BigInt, written out here apart from the source. */
function referenceBase62(value: bigint, width: number): string {
	let digits = "";
	for (let rest = value; rest > 0n; rest /= 62n) digits = ALPHABET[Number(rest % 62n)] + digits;
	return digits.padStart(width, "0");
}

describe("formatApiKey", () => {
	it("reproduces the known keys of fixed bodies", () => {
		const zeros = new Uint8Array(32);
		const ones = new Uint8Array(32).fill(0xff);
		const counting = Uint8Array.from({ length: 32 }, (_, index) => index);
		expect([formatApiKey(zeros), formatApiKey(ones), formatApiKey(counting)]).toEqual(KNOWN_KEYS);
	});

	it("writes the body in base62 and the CRC-32 check in 6 base62 characters, the largest CRC included", () => {
		const ones = new Uint8Array(32).fill(0xff);
		expect(formatApiKey(ones).slice(4, 47)).toBe(referenceBase62(2n ** 256n - 1n, 43));
		expect(referenceBase62(2n ** 32n - 1n, 6)).toBe("4gfFC3");
		for (const key of KNOWN_KEYS) {
			expect(key.slice(47)).toBe(referenceBase62(BigInt(crc32(key.slice(0, 47))), 6));
		}
	});

	it("takes exactly 32 bytes", () => {
		expect(() => formatApiKey(new Uint8Array(31))).toThrow(
			new TypeError("bearerguard: an API key's body is 32 bytes."),
		);
	});
});

describe("generateApiKey and hashApiKey", () => {
	it("make a 53-character bgk_ key and its lowercase hex SHA-256, new each time", () => {
		const keys = new Set<string>();
		for (let index = 0; index < 500; index++) {
			const { key, hash } = generateApiKey();
			expect(key).toMatch(/^bgk_[0-9A-Za-z]{49}$/);
			expect(hash).toBe(createHash("sha256").update(key, "utf8").digest("hex"));
			expect(hashApiKey(key)).toBe(hash);
			expect(isBearerguardApiKey(key)).toBe(true);
			keys.add(key);
		}
		expect(keys.size).toBe(500);
	});

	it("hash keys of any format, and only strings", () => {
		expect(hashApiKey("sk_live_legacy")).toBe(createHash("sha256").update("sk_live_legacy").digest("hex"));
		expect(() => hashApiKey(42 as unknown as string)).toThrow(
			new TypeError("bearerguard: hashApiKey(key) takes the key as a string."),
		);
	});
});

describe("isBearerguardApiKey", () => {
	it("refuses every one-character change of a key (the checksum catches typos)", () => {
		const { key } = generateApiKey();
		let refused = 0;
		for (let position = 0; position < key.length; position++) {
			for (const replacement of `${ALPHABET}_-`) {
				if (replacement === key[position]) continue;
				expect(isBearerguardApiKey(`${key.slice(0, position)}${replacement}${key.slice(position + 1)}`)).toBe(
					false,
				);
				refused++;
			}
		}
		expect(refused).toBe(53 * 63);
	});

	it("refuses other lengths, prefixes and shapes", () => {
		const { key } = generateApiKey();
		for (const wrong of [
			key.slice(0, -1),
			`${key}0`,
			`BGK_${key.slice(4)}`,
			"",
			`bgk_${"0".repeat(49)}`,
			` ${key}`,
		]) {
			expect(isBearerguardApiKey(wrong)).toBe(false);
		}
	});
});

describe("formatCheck", () => {
	it("is isBearerguardApiKey itself by default", () => {
		expect(formatCheck(["bearerguard"])).toBe(isBearerguardApiKey);
	});

	it("matches a legacy RegExp against the whole key only", () => {
		const accepts = formatCheck([/sk_live_[a-z0-9]{8}/]);
		expect(accepts("sk_live_abcd1234")).toBe(true);
		expect(accepts("xsk_live_abcd1234")).toBe(false);
		expect(accepts("sk_live_abcd1234x")).toBe(false);
	});

	it("takes several formats, any visible ASCII with 'any', and never more than 1024 characters", () => {
		const both = formatCheck(["bearerguard", /^legacy-\d+$/]);
		expect(both(generateApiKey().key)).toBe(true);
		expect(both("legacy-42")).toBe(true);
		expect(both("legacy-x")).toBe(false);
		const any = formatCheck(["any"]);
		expect(any("!~anything~!")).toBe(true);
		expect(any("a".repeat(MAX_API_KEY_LENGTH))).toBe(true);
		expect(any("a".repeat(MAX_API_KEY_LENGTH + 1))).toBe(false);
		expect(any("with space")).toBe(false);
		expect(any("tab\tinside")).toBe(false);
		expect(any("ünïcode")).toBe(false);
		expect(any("")).toBe(false);
	});
});
