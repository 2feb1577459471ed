import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { colourFor, formatLines, type Io } from "../src/lib/output.js";

const io = (isTTY: boolean, env: NodeJS.ProcessEnv): Io => {
	const stdout = Object.assign(new PassThrough(), { isTTY });
	return { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env };
};

describe("colour", () => {
	it.each<[boolean, NodeJS.ProcessEnv, boolean]>([
		[true, {}, true],
		[true, { NO_COLOR: "1" }, false],
		[true, { NO_COLOR: "" }, true],
		[false, {}, false],
	])("a TTY %s with %o colours: %s", (isTTY, env, expected) => {
		expect(colourFor(io(isTTY, env))).toBe(expected);
	});

	it("paints the status words only when asked", () => {
		const lines = [
			{
				status: "fail" as const,
				name: "expiry",
				detail: "expired",
				reason: "token_expired",
				fix: "Get a new token.",
			},
		];
		expect(formatLines(lines, true)).toBe(
			"  \u001b[31mFAIL\u001b[0m  expiry    expired\n                  \u001b[2mreason\u001b[0m  token_expired\n                  \u001b[2mfix\u001b[0m     Get a new token.",
		);
		expect(formatLines(lines, false)).toBe(
			"  FAIL  expiry    expired\n                  reason  token_expired\n                  fix     Get a new token.",
		);
	});
});
