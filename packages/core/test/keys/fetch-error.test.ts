import { describe, expect, it } from "vitest";
import { FetchError } from "../../src/index.js";

const system = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("FetchError", () => {
	it("finds the network code under undici's causes and AggregateError's errors, and says it in the message", () => {
		const aggregate = Object.assign(
			new AggregateError(
				[
					system("ECONNREFUSED", "connect ECONNREFUSED ::1:443"),
					system("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:443"),
				],
				"",
			),
			{ code: "ECONNREFUSED" },
		);
		const error = new FetchError("GET https://a.example/jwks failed", {
			cause: new TypeError("fetch failed", { cause: aggregate }),
		});
		expect([error.code, error.status, error.message]).toEqual([
			"ECONNREFUSED",
			undefined,
			"GET https://a.example/jwks failed: ECONNREFUSED (connect ECONNREFUSED ::1:443)",
		]);
	});

	it.each<[string, object, string, number | undefined, string]>([
		[
			"a DNS failure",
			{
				cause: new TypeError("fetch failed", {
					cause: system("ENOTFOUND", "getaddrinfo ENOTFOUND a.example"),
				}),
			},
			"ENOTFOUND",
			undefined,
			"GET u failed: ENOTFOUND (getaddrinfo ENOTFOUND a.example)",
		],
		[
			"a timeout",
			{ cause: new DOMException("The operation was aborted due to timeout", "TimeoutError") },
			"TIMEOUT",
			undefined,
			"GET u failed: TIMEOUT (The operation was aborted due to timeout)",
		],
		["an HTTP status", { status: 404 }, "HTTP_STATUS", 404, "GET u failed"],
		["a redirect", { status: 307 }, "REDIRECT", 307, "GET u failed"],
		["a 304 (not a redirect)", { status: 304 }, "HTTP_STATUS", 304, "GET u failed"],
		["a code given", { code: "NOT_JWKS" }, "NOT_JWKS", undefined, "GET u failed"],
		[
			"a cause without a code",
			{ cause: new Error("bad port") },
			"NETWORK",
			undefined,
			"GET u failed: NETWORK (bad port)",
		],
		["nothing", {}, "NETWORK", undefined, "GET u failed"],
	])("codes %s", (_label, options, code, status, message) => {
		const error = new FetchError("GET u failed", options);
		expect([error.name, error.code, error.status, error.message]).toEqual([
			"FetchError",
			code,
			status,
			message,
		]);
	});

	it("does not loop on a cause that refers to itself", () => {
		const loop: { cause?: unknown; message: string } = { message: "loop" };
		loop.cause = loop;
		expect(new FetchError("GET u failed", { cause: loop }).code).toBe("NETWORK");
	});
});
