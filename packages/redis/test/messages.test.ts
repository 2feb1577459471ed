import { describe, expect, it } from "vitest";
import { decodeRevocation, encodeRevocation, formatTime, parseTime } from "../src/messages.js";

describe("the pub/sub message of a revocation", () => {
	it("carries kind, time and ID, an ID with bars included", () => {
		const cases = [
			{ kind: "token", id: "4f1c|a|b", time: 1_767_225_600_000 },
			{ kind: "subject", id: "user_1", time: 1_767_225_600_123 },
			{ kind: "client", id: "app", time: Number.POSITIVE_INFINITY },
		] as const;
		expect(cases.map(encodeRevocation)).toEqual([
			"t1767225600000|4f1c|a|b",
			"s1767225600123|user_1",
			"cinf|app",
		]);
		for (const revocation of cases)
			expect(decodeRevocation(encodeRevocation(revocation))).toEqual(revocation);
	});

	it("ignores anything else", () => {
		for (const garbage of [
			"",
			"t",
			"t|",
			"t|id",
			"x1|id",
			"t1|",
			"t-1|id",
			"tNaN|id",
			"t1e400|id",
			`t1|${"i".repeat(8193)}`,
		]) {
			expect(decodeRevocation(garbage)).toBeUndefined();
		}
		expect(decodeRevocation(42 as unknown as string)).toBeUndefined();
	});

	it("spells times as Redis does: whole milliseconds rounded up, and inf", () => {
		expect([formatTime(1.2), formatTime(Number.POSITIVE_INFINITY)]).toEqual(["2", "inf"]);
		expect(["inf", "+inf", "Infinity", "12", "1.5", "", "-3", "abc"].map(parseTime)).toEqual([
			Number.POSITIVE_INFINITY,
			Number.POSITIVE_INFINITY,
			Number.POSITIVE_INFINITY,
			12,
			1.5,
			undefined,
			undefined,
			undefined,
		]);
	});
});
