import { describe, expect, it } from "vitest";
import { toSeconds } from "../../src/config/duration.js";
import { thrownBy } from "../support/refusals.js";

const message = (name: string) =>
	`bearerguard: "${name}" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.`;

describe("toSeconds", () => {
	it.each([
		[0, 0],
		[30, 30],
		[0.25, 0.25],
		[86_400, 86_400],
	])("takes the number %s as %s seconds", (value, seconds) => {
		expect(toSeconds(value, "x")).toBe(seconds);
	});

	it.each([
		["30s", 30],
		["30sec", 30],
		["10m", 600],
		["10min", 600],
		["24h", 86_400],
		["7d", 604_800],
		["500ms", 0.5],
		["1.5m", 90],
		["0s", 0],
		["10 m", 600],
		["  45s  ", 45],
	])("reads %j as %s seconds", (value, seconds) => {
		expect(toSeconds(value, "x")).toBe(seconds);
	});

	it.each([
		["a negative number", -1],
		["NaN", Number.NaN],
		["Infinity", Number.POSITIVE_INFINITY],
		["a bare number in a string", "30"],
		["a negative string", "-5s"],
		["an unknown unit", "3w"],
		["an upper-case unit", "30S"],
		["an empty string", ""],
		["a unit alone", "s"],
		["two durations", "1h30m"],
		["a number with a comma", "1,5s"],
	])("refuses %s with a TypeError that names the option", (_label, value) => {
		const error = thrownBy(() => toSeconds(value, "jwks.cooldown"));
		expect(error).toBeInstanceOf(TypeError);
		expect((error as TypeError).message).toBe(message("jwks.cooldown"));
	});

	it.each([
		["null", null],
		["undefined", undefined],
		["an object", { seconds: 5 }],
		["a boolean", true],
	])("refuses %s (not a Duration at all)", (_label, value) => {
		const error = thrownBy(() => toSeconds(value as unknown as number, "clockTolerance"));
		expect(error).toBeInstanceOf(TypeError);
		expect((error as TypeError).message).toBe(message("clockTolerance"));
	});
});
