import { describe, expect, it } from "vitest";
import { ClaimMismatch } from "../../src/index.js";

describe("ClaimMismatch", () => {
	it("says the expected and actual values", () => {
		const detail = new ClaimMismatch("iss", ["https://a.example/"], "https://a.example");
		expect([detail.name, detail.claim, detail.expected, detail.actual, detail.message]).toEqual([
			"ClaimMismatch",
			"iss",
			["https://a.example/"],
			"https://a.example",
			'the token has iss "https://a.example"; expected one of the configured issuers ["https://a.example/"]',
		]);
	});

	it("bounds what it repeats of the token: 200 characters per string, 10 items, no objects", () => {
		const detail = new ClaimMismatch("aud", ["x"], [..."abcdefghijkl"].map((c) => c.repeat(300)).concat());
		expect((detail.actual as string[]).length).toBe(10);
		expect((detail.actual as string[])[0]).toBe(`${"a".repeat(200)}…`);
		expect(new ClaimMismatch("aud", ["x"], { admin: true }).actual).toBe("[object]");
		expect(new ClaimMismatch("aud", ["x"], undefined).message).toBe(
			'the token has no aud; expected one of the accepted audiences ["x"]',
		);
	});
});
