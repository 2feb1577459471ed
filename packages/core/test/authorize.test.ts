import { describe, expect, it } from "vitest";
import { checkPermissionList } from "../src/authorize.js";
import { type AuthResult, authorize, createVerifier, type InsufficientScopeError } from "../src/index.js";
import { expectRefusal, thrownBy } from "./support/refusals.js";
import { forge } from "./support/tokens.js";

function auth(...permissions: string[]): AuthResult {
	return {
		token: "t",
		header: { alg: "ES256" },
		claims: {},
		subject: "user_1",
		issuer: "https://issuer.example",
		organization: undefined,
		permissions: new Set(permissions),
		expiresAt: undefined,
		scheme: "Bearer",
		source: "jwt",
		confirmation: undefined,
	};
}

function scopeOf(fn: () => void): readonly string[] {
	return expectRefusal<InsufficientScopeError>(thrownBy(fn), "insufficient_scope").scope;
}

describe("authorize: permissions (all of)", () => {
	it("passes when every permission is held", () => {
		expect(authorize(auth("read", "write", "delete"), { permissions: ["read", "write"] })).toBeUndefined();
	});

	it("passes an empty requirement, and refuses an empty list with a TypeError (it would require nothing)", () => {
		expect(authorize(auth(), {})).toBeUndefined();
		expect(thrownBy(() => authorize(auth("read"), { permissions: [] }))).toEqual(
			new TypeError(
				'bearerguard: "permissions" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "permissions" out.',
			),
		);
	});

	it("refuses when one is missing, naming every required permission in the scope", () => {
		expect(scopeOf(() => authorize(auth("read"), { permissions: ["read", "write", "delete"] }))).toEqual([
			"read",
			"write",
			"delete",
		]);
	});

	it("refuses when none is held", () => {
		expect(scopeOf(() => authorize(auth(), { permissions: ["admin"] }))).toEqual(["admin"]);
	});

	it("compares exactly: case and prefixes matter", () => {
		expect(scopeOf(() => authorize(auth("Write"), { permissions: ["write"] }))).toEqual(["write"]);
		expect(scopeOf(() => authorize(auth("write:all"), { permissions: ["write"] }))).toEqual(["write"]);
		expect(scopeOf(() => authorize(auth("ROLE_ADMIN"), { permissions: ["ROLE_ADMI"] }))).toEqual([
			"ROLE_ADMI",
		]);
	});
});

describe("authorize: anyPermission (any of)", () => {
	it("passes when one of them is held", () => {
		expect(authorize(auth("delete"), { anyPermission: ["admin", "delete"] })).toBeUndefined();
	});

	it("refuses when none is held, listing all the acceptable ones", () => {
		expect(scopeOf(() => authorize(auth("read"), { anyPermission: ["write", "admin"] }))).toEqual([
			"write",
			"admin",
		]);
	});

	it("refuses an empty anyPermission with a TypeError: it would accept every token", () => {
		expect(thrownBy(() => authorize(auth("read"), { anyPermission: [] }))).toEqual(
			new TypeError(
				'bearerguard: "anyPermission" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "anyPermission" out.',
			),
		);
	});
});

describe("authorize: both", () => {
	it("passes when all of permissions and one of anyPermission are held", () => {
		expect(
			authorize(auth("read", "admin"), { permissions: ["read"], anyPermission: ["admin", "owner"] }),
		).toBeUndefined();
	});

	it("names permissions when one of them is missing", () => {
		expect(
			scopeOf(() => authorize(auth("admin"), { permissions: ["read"], anyPermission: ["admin"] })),
		).toEqual(["read"]);
	});

	it("names anyPermission when only that is unmet", () => {
		expect(
			scopeOf(() => authorize(auth("read"), { permissions: ["read"], anyPermission: ["admin", "owner"] })),
		).toEqual(["admin", "owner"]);
	});
});

describe("authorize: scope lists from real claims", () => {
	const secret = "a-shared-secret-of-at-least-32-bytes";
	const verifier = createVerifier({ issuer: "iss", audience: "aud", secret });

	it("merges scope, scp, permissions and roles into the set authorize reads", async () => {
		const token = forge(
			{ alg: "HS256" },
			{
				iss: "iss",
				aud: "aud",
				exp: 4e9,
				scope: "read  write",
				scp: ["products:list"],
				permissions: ["delete"],
				roles: ["ROLE_ADMIN"],
			},
			Buffer.from(secret),
		);
		const result = await verifier.verify(token);
		expect([...result.permissions].sort()).toEqual([
			"ROLE_ADMIN",
			"delete",
			"products:list",
			"read",
			"write",
		]);
		expect(
			authorize(result, { permissions: ["read", "write", "delete"], anyPermission: ["ROLE_ADMIN"] }),
		).toBeUndefined();
		expect(scopeOf(() => authorize(result, { permissions: ["admin"] }))).toEqual(["admin"]);
	});
});

describe("checkPermissionList (guard options)", () => {
	const message = (name: string) =>
		`bearerguard: "${name}" must be an array of permission names without spaces, quotes or backslashes, such as ['read', 'write'].`;

	it("returns a frozen copy, or undefined when not given", () => {
		const given = ["read", "ROLE_ADMIN", "products:write", "a~b!#$%&'()*+,-./:;<=>?@[]^_`{|}"];
		const list = checkPermissionList(given, "permissions");
		expect(list).toEqual(given);
		expect(list).not.toBe(given);
		expect(Object.isFrozen(list)).toBe(true);
		expect(checkPermissionList(undefined, "permissions")).toBeUndefined();
	});

	it.each([
		["a string", "read"],
		["a space inside a name", ["read write"]],
		["a double quote", ['re"ad']],
		["a backslash", ["re\\ad"]],
		["an empty name", [""]],
		["a non-ASCII name", ["lire·écrire"]],
		["a number", [1]],
		["null", null],
		["a tab", ["a\tb"]],
	])("refuses %s with a TypeError", (_label, value) => {
		const error = thrownBy(() => checkPermissionList(value, "anyPermission"));
		expect(error).toBeInstanceOf(TypeError);
		expect((error as TypeError).message).toBe(message("anyPermission"));
	});

	it.each([["permissions"], ["anyPermission"]])("refuses an empty %s list when the guard is made", (name) => {
		const verifier = createVerifier({ issuer: "iss", audience: "aud", secret: "x".repeat(32) });
		expect(thrownBy(() => checkPermissionList([], name))).toEqual(
			new TypeError(
				`bearerguard: "${name}" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "${name}" out.`,
			),
		);
		expect(thrownBy(() => verifier.guard({ [name]: [] }))).toEqual(
			thrownBy(() => checkPermissionList([], name)),
		);
		expect(
			thrownBy(() => verifier.guard({ [name]: "".split(",").filter(Boolean), optional: true })),
		).toBeInstanceOf(TypeError);
	});

	it("is what verifier.guard() uses: bad guard options throw when the guard is compiled", () => {
		const verifier = createVerifier({ issuer: "iss", audience: "aud", secret: "x".repeat(32) });
		const error = thrownBy(() => verifier.guard({ permissions: ["read write"] }));
		expect(error).toBeInstanceOf(TypeError);
		expect((error as TypeError).message).toBe(message("permissions"));
		const optional = thrownBy(() => verifier.guard({ optional: "yes" as unknown as boolean }));
		expect(optional).toBeInstanceOf(TypeError);
		expect((optional as TypeError).message).toBe('bearerguard: "optional" must be true or false.');
	});
});
