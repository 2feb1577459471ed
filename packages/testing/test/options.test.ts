import { describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuerOptions } from "../src/index.js";
import { resolveOptions } from "../src/lib/options.js";

describe("resolveOptions", () => {
	it("applies every default", () => {
		expect(resolveOptions()).toEqual({
			algorithms: ["RS256"],
			audience: "https://api.example.test",
			host: "127.0.0.1",
			port: 0,
			discovery: "both",
			issuerPath: "",
		});
	});

	it("removes duplicate algorithms and normalizes the issuer path", () => {
		const resolved = resolveOptions({ algorithms: ["ES256", "HS256", "ES256"], issuerPath: "a/b//" });
		expect(resolved.algorithms).toEqual(["ES256", "HS256"]);
		expect(resolved.issuerPath).toBe("/a/b");
		expect(resolveOptions({ issuerPath: "/" }).issuerPath).toBe("");
	});

	it.each([
		[{ algorithms: [] }, "algorithms must be a non-empty array of: RS256, RS384, RS512, PS256, PS384"],
		[{ algorithms: ["none"] }, "algorithms must be a non-empty array of"],
		[{ audience: "" }, "audience must be a non-empty string."],
		[{ host: "" }, "host must be a non-empty string."],
		[{ port: -1 }, "port must be an integer from 0 to 65535 (0 picks a free port)."],
		[{ port: 1.5 }, "port must be an integer from 0 to 65535 (0 picks a free port)."],
		[{ discovery: "all" }, "discovery must be one of: openid, oauth, both, none."],
		[{ issuerPath: "/a?b" }, "issuerPath must be a URL path such as '/tenant-a', without query or fragment."],
	])("rejects %j with a TypeError", (options, message) => {
		expect(() => resolveOptions(options as TestIssuerOptions)).toThrow(TypeError);
		expect(() => resolveOptions(options as TestIssuerOptions)).toThrow(message);
	});

	it("makes createTestIssuer reject before it listens", async () => {
		await expect(createTestIssuer({ port: 70_000 })).rejects.toThrow(
			new TypeError("port must be an integer from 0 to 65535 (0 picks a free port)."),
		);
	});
});

describe("a fixed port", () => {
	it("listens on the port asked for, and a second issuer on it fails with EADDRINUSE", async () => {
		const first = await createTestIssuer();
		const port = Number(new URL(first.issuer).port);
		await first.close();
		const issuer = await createTestIssuer({ port });
		try {
			expect(issuer.issuer).toBe(`http://127.0.0.1:${port}`);
			await expect(createTestIssuer({ port })).rejects.toMatchObject({ code: "EADDRINUSE" });
		} finally {
			await issuer.close();
		}
	});
});
