import { describe, expect, it } from "vitest";
import { toSeconds } from "../src/lib/durations.js";

describe("toSeconds", () => {
	it.each([
		[90, 90],
		[-60, -60],
		[1.9, 1],
		["45", 45],
		["30s", 30],
		["10m", 600],
		["24h", 86_400],
		["2d", 172_800],
		["-1m", -60],
		[" 1.5h ", 5400],
		["5 m", 300],
	])("converts %j to %i seconds", (value, seconds) => {
		expect(toSeconds(value, "expiresIn")).toBe(seconds);
	});

	it.each([["soon"], ["10w"], [""], ["1e3"], [Number.NaN], [Number.POSITIVE_INFINITY]])(
		"rejects %j with a TypeError naming the option",
		(value) => {
			expect(() => toSeconds(value, "notBefore")).toThrow(TypeError);
			expect(() => toSeconds(value, "notBefore")).toThrow(/^notBefore must be/);
		},
	);
});
