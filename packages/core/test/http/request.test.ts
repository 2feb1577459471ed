import { describe, expect, it } from "vitest";
import { headerCount } from "../../src/http/request.js";
import { createVerifier, headerValues, type RequestReader } from "../../src/index.js";
import { expectRefusal } from "../support/refusals.js";

/** A request as Node gives it: `headers` keeps the first Authorization, `rawHeaders` every line. */
interface NodeLike {
	headers: Record<string, string | undefined>;
	rawHeaders: string[];
}

const nodeReader: RequestReader<NodeLike> = {
	headers: (request) => request.headers,
	rawHeaders: (request) => request.rawHeaders,
};

function nodeRequest(...lines: [string, string][]): NodeLike {
	const headers: Record<string, string> = {};
	for (const [name, value] of lines) headers[name.toLowerCase()] ??= value;
	return { headers, rawHeaders: lines.flat() };
}

describe("headerValues and headerCount", () => {
	it("read every line of a header from rawHeaders, in any case, in order", () => {
		const request = nodeRequest(
			["Host", "x"],
			["Authorization", "Bearer a"],
			["AUTHORIZATION", "Bearer b"],
			["DPoP", "p"],
		);
		expect(headerValues(request, nodeReader, "authorization")).toEqual(["Bearer a", "Bearer b"]);
		expect(headerValues(request, nodeReader, "dpop")).toEqual(["p"]);
		expect(headerValues(request, nodeReader, "x-api-key")).toEqual([]);
		expect(headerCount(request, nodeReader, "authorization")).toBe(2);
		expect(headerCount(request, nodeReader, "dpop")).toBe(1);
		expect(headerCount(request, nodeReader, "x-api-key")).toBe(0);
	});

	it("fall back to headers without rawHeaders (a string or a list)", () => {
		const reader: RequestReader<{ headers: Record<string, string | string[]> }> = {
			headers: (request) => request.headers,
		};
		const request = { headers: { authorization: ["Bearer a", "Bearer b"], dpop: "p" } };
		expect(headerValues(request, reader, "authorization")).toEqual(["Bearer a", "Bearer b"]);
		expect(headerCount(request, reader, "authorization")).toBe(2);
		expect(headerCount(request, reader, "dpop")).toBe(1);
		expect(headerCount(request, reader, "other")).toBe(0);
	});
});

describe("a guard reading a framework's request through its reader", () => {
	const secret = "s".repeat(32);
	const verifier = createVerifier({ issuer: "https://issuer.example", audience: "aud", secret });
	const authenticate = verifier.compileGuard();

	it("answers a second Authorization line with the 400, though headers kept only the first", () => {
		const request = nodeRequest(["Authorization", "Bearer a.b.c"], ["authorization", "Bearer d.e.f"]);
		let thrown: unknown;
		try {
			authenticate(request, nodeReader);
		} catch (error) {
			thrown = error;
		}
		expectRefusal(thrown, "authorization_duplicated");
	});

	it("reads the one Authorization header of an ordinary request", async () => {
		const request = nodeRequest(["Authorization", "Bearer a.b.c"]);
		let thrown: unknown;
		try {
			await authenticate(request, nodeReader);
		} catch (error) {
			thrown = error;
		}
		expectRefusal(thrown, "token_malformed");
	});

	it("is the bare 401 without any Authorization line", () => {
		let thrown: unknown;
		try {
			authenticate(nodeRequest(["Host", "x"]), nodeReader);
		} catch (error) {
			thrown = error;
		}
		expectRefusal(thrown, "token_missing");
	});
});
