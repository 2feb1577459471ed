import { describe, expect, it } from "vitest";
import { readClaim, toClaimPath } from "../../src/config/claim-path.js";
import { thrownBy } from "../support/refusals.js";

const REFUSED = new TypeError(
	"bearerguard: \"permissionsClaim\" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].",
);

describe("toClaimPath", () => {
	it("compiles a name, a dotted name and an array path", () => {
		expect(toClaimPath("scope", "permissionsClaim")).toEqual({
			name: "scope",
			path: undefined,
			label: "scope",
		});
		expect(toClaimPath("realm_access.roles", "permissionsClaim")).toEqual({
			name: "realm_access.roles",
			path: ["realm_access", "roles"],
			label: "realm_access.roles",
		});
		expect(toClaimPath(["resource_access", "my.api", "roles"], "permissionsClaim")).toEqual({
			name: undefined,
			path: ["resource_access", "my.api", "roles"],
			label: "resource_access.my.api.roles",
		});
	});

	it("keeps a name whose dots leave an empty step as an exact name only", () => {
		expect(toClaimPath(".hidden", "x").path).toBeUndefined();
		expect(toClaimPath("a..b", "x").path).toBeUndefined();
	});

	it.each([[""], [[]], [["a", ""]], [7], [null], [["a", 1]]])("refuses %j", (value) => {
		expect(thrownBy(() => toClaimPath(value, "permissionsClaim"))).toEqual(REFUSED);
	});
});

describe("readClaim", () => {
	const claims = JSON.parse(
		'{"scope":"read","realm_access":{"roles":["admin"]},"resource_access":{"my.api":{"roles":["write"]}},"list":[{"a":1}],"__proto__":{"polluted":["x"]}}',
	) as Record<string, unknown>;

	it("reads an exact name, then a path, as own members", () => {
		expect(readClaim(claims, toClaimPath("scope", "x"))).toBe("read");
		expect(readClaim(claims, toClaimPath("realm_access.roles", "x"))).toEqual(["admin"]);
		expect(readClaim(claims, toClaimPath(["resource_access", "my.api", "roles"], "x"))).toEqual(["write"]);
		expect(readClaim(claims, toClaimPath("resource_access.my.api.roles", "x"))).toBeUndefined();
	});

	it("prefers the exact name when the token has it", () => {
		expect(readClaim({ "a.b": 1, a: { b: 2 } }, toClaimPath("a.b", "x"))).toBe(1);
	});

	it("never reads Object.prototype, at any step", () => {
		for (const name of ["constructor", "valueOf", "toString", "hasOwnProperty", "__proto__.constructor"]) {
			expect(readClaim({}, toClaimPath(name, "x"))).toBeUndefined();
		}
		expect(readClaim(claims, toClaimPath("realm_access.constructor", "x"))).toBeUndefined();
		expect(readClaim(claims, toClaimPath("scope.length", "x"))).toBeUndefined();
	});

	it("does not step into arrays or through primitives", () => {
		expect(readClaim(claims, toClaimPath("list.0.a", "x"))).toBeUndefined();
		expect(readClaim({ a: "text" }, toClaimPath("a.length", "x"))).toBeUndefined();
		expect(readClaim({ a: null }, toClaimPath("a.b", "x"))).toBeUndefined();
	});

	it("reads a member the token really has, even one named __proto__", () => {
		expect(readClaim(claims, toClaimPath("__proto__.polluted", "x"))).toEqual(["x"]);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
