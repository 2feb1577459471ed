import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createTestApiKey,
	createTestIssuer,
	generateTestApiKey,
	hashTestApiKey,
	isWellFormedApiKey,
	type TestIssuer,
} from "../src/index.js";
import { formatApiKey, toBase62 } from "../src/lib/api-key.js";

/** Keys for the bodies 32 × 0x00, 32 × 0xff and 0x00..0x1f: the core's generator must agree. */
const KNOWN_KEYS = [
	"bgk_000000000000000000000000000000000000000000037uvFZ",
	"bgk_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp101RWHp",
	"bgk_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf2U8M7F",
];
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), written out here to check zlib's. */
function referenceCrc32(bytes: Uint8Array): number {
	let crc = 0xffffffff;
	for (const byte of bytes) {
		crc ^= byte;
		for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** Base62 written out independently: repeated division of a BigInt, most significant digit first. */
function referenceBase62(value: bigint, width: number): string {
	const digits: string[] = [];
	for (let rest = value; rest > 0n; rest /= 62n) digits.unshift(ALPHABET[Number(rest % 62n)]!);
	return digits.join("").padStart(width, "0");
}

function referenceKey(bytes: Uint8Array): string {
	const body = referenceBase62(BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`), 43);
	const check = referenceBase62(BigInt(referenceCrc32(Buffer.from(`bgk_${body}`, "utf8"))), 6);
	return `bgk_${body}${check}`;
}

describe("the API key format", () => {
	it("is bgk_ + 43 base62 characters + a 6-character base62 CRC-32 (53 in all)", () => {
		for (let index = 0; index < 200; index++) {
			const { key, hash } = generateTestApiKey();
			expect(key).toHaveLength(53);
			expect(key).toMatch(/^bgk_[0-9A-Za-z]{49}$/);
			const body = key.slice(4, 47);
			const check = key.slice(47);
			expect(referenceBase62(BigInt(referenceCrc32(Buffer.from(`bgk_${body}`))), 6)).toBe(check);
			expect(hash).toBe(createHash("sha256").update(key).digest("hex"));
			expect(isWellFormedApiKey(key)).toBe(true);
		}
	});

	it("has known answers for fixed bodies", () => {
		const zeros = new Uint8Array(32);
		const ones = new Uint8Array(32).fill(0xff);
		const counting = Uint8Array.from({ length: 32 }, (_, index) => index);
		expect(formatApiKey(zeros)).toBe(referenceKey(zeros));
		expect(formatApiKey(zeros).slice(0, 47)).toBe(`bgk_${"0".repeat(43)}`);
		expect(formatApiKey(ones)).toBe(referenceKey(ones));
		expect(formatApiKey(ones).slice(4, 47)).toBe(referenceBase62(2n ** 256n - 1n, 43));
		expect(formatApiKey(counting)).toBe(referenceKey(counting));
		expect(KNOWN_KEYS).toEqual([formatApiKey(zeros), formatApiKey(ones), formatApiKey(counting)]);
	});

	it("encodes base62 with the alphabet 0-9A-Za-z, padded with 0", () => {
		expect(toBase62(0n, 3)).toBe("000");
		expect(toBase62(61n, 3)).toBe("00z");
		expect(toBase62(62n, 3)).toBe("010");
		expect(toBase62(2n ** 256n - 1n, 43)).toHaveLength(43);
		expect(toBase62(0xffffffffn, 6)).toBe(referenceBase62(0xffffffffn, 6));
	});

	it("detects every one-character change, and any other length or prefix", () => {
		const { key } = generateTestApiKey();
		let changed = 0;
		for (let position = 0; position < key.length; position++) {
			for (const replacement of `${ALPHABET}_-`) {
				if (replacement === key[position]) continue;
				const typo = `${key.slice(0, position)}${replacement}${key.slice(position + 1)}`;
				expect(isWellFormedApiKey(typo)).toBe(false);
				changed++;
			}
		}
		expect(changed).toBe(53 * 63);
		for (const wrong of [key.slice(0, -1), `${key}0`, `BGK_${key.slice(4)}`, "", `bgk_${"0".repeat(49)}`]) {
			expect(isWellFormedApiKey(wrong)).toBe(false);
		}
	});

	it("is random: no two keys alike", () => {
		const keys = new Set(Array.from({ length: 1000 }, () => generateTestApiKey().key));
		expect(keys.size).toBe(1000);
		expect(hashTestApiKey("bgk_x")).toBe(createHash("sha256").update("bgk_x").digest("hex"));
	});
});

describe("createTestApiKey and issuer.apiKey", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ algorithms: ["HS256"] });
	});
	afterAll(() => issuer.close());

	it("return the key, its hash, and a record holding only the hash", () => {
		const expiresAt = new Date("2031-01-01T00:00:00Z");
		const { key, hash, record } = issuer.apiKey({
			subject: "svc_reports",
			permissions: ["read", "write"],
			organization: "org_acme",
			expiresAt,
			name: "reports job",
		});
		expect(isWellFormedApiKey(key)).toBe(true);
		expect(hash).toBe(hashTestApiKey(key));
		expect(record).toEqual({
			hash,
			subject: "svc_reports",
			organization: "org_acme",
			permissions: ["read", "write"],
			expiresAt,
			name: "reports job",
		});
		expect(record.expiresAt).not.toBe(expiresAt);
		expect(JSON.stringify(record)).not.toContain(key.slice(4, 20));
	});

	it("leave optional fields out of the record", () => {
		const { record } = createTestApiKey({ subject: "svc", permissions: [] });
		expect(Object.keys(record)).toEqual(["hash", "subject", "permissions"]);
	});

	it.each([
		[{ permissions: [] }, "subject must be a non-empty string."],
		[{ subject: "svc" }, "permissions must be an array of strings."],
		[{ subject: "svc", permissions: [1] }, "permissions must be an array of strings."],
		[{ subject: "svc", permissions: [], organization: "" }, "organization must be a non-empty string."],
		[{ subject: "svc", permissions: [], expiresAt: new Date(Number.NaN) }, "expiresAt must be a valid Date."],
		[{ subject: "svc", permissions: [], expiresAt: "2031-01-01" }, "expiresAt must be a valid Date."],
		[{ subject: "svc", permissions: [], name: 7 }, "name must be a string."],
	])("rejects %j with a TypeError", (options, message) => {
		expect(() => issuer.apiKey(options as never)).toThrow(new TypeError(message));
	});
});
