import { describe, expect, it } from "vitest";
import {
	type AuthResult,
	createAuthenticator,
	createPermissionsCheck,
	createVerifier,
	GuardSetupError,
	type InsufficientScopeError,
	type RequestLike,
} from "../src/index.js";
import { isIssued } from "../src/token/issued.js";
import { expectRefusal, thrownBy } from "./support/refusals.js";
import { forge } from "./support/tokens.js";

const SECRET = "upstream-test-secret-0123456789abcdef";
const ISSUER = "https://upstream.example";
const AUDIENCE = "https://api.upstream.example";
const ENV = { BEARERGUARD_ISSUER: ISSUER, BEARERGUARD_AUDIENCE: AUDIENCE, BEARERGUARD_SECRET: SECRET };
const NOTHING_CONFIGURED =
	"bearerguard: requireAuth() has only guard options, nothing configures a verifier (no issuer or audience in code, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no requireAuth before it verified this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())), or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.";

function request(claims: Record<string, unknown>): RequestLike {
	const token = forge(
		{ alg: "HS256" },
		{ iss: ISSUER, aud: AUDIENCE, exp: 4e9, sub: "u1", ...claims },
		Buffer.from(SECRET),
	);
	return { headers: { authorization: `Bearer ${token}` } };
}

/** An auth made by bearerguard (the first guard of a request). */
async function verified(permissions: string[]): Promise<AuthResult> {
	const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET });
	const auth = await verifier.guard()(request({ permissions }));
	if (auth === undefined) throw new Error("no auth");
	return auth;
}

function settled<T>(run: () => T | Promise<T>): Promise<T | unknown> {
	return new Promise<T>((resolve) => resolve(run())).catch((error: unknown) => error);
}

describe("which auth counts as verified", () => {
	it("an auth that a verifier made, never a look-alike", async () => {
		const auth = await verified(["read"]);
		expect(isIssued(auth)).toBe(true);
		expect(isIssued({ ...auth })).toBe(false);
		expect(isIssued(undefined)).toBe(false);
		expect(isIssued(null)).toBe(false);
	});
});

describe("a guard given only guard options", () => {
	it("with nothing configured: no verifier, reuses upstream, and alone is a GuardSetupError", async () => {
		const guard = createAuthenticator({ permissions: ["write"] }, {});
		expect(guard.reusesUpstream).toBe(true);
		expect(guard.verifier).toBeUndefined();
		expect(guard.realm).toBe("api");
		expect(guard.challengeSettings).toEqual({ realm: "api" });
		const error = thrownBy(() => guard.authenticate(request({ permissions: ["write"] })));
		expect(error).toBeInstanceOf(GuardSetupError);
		expect((error as Error).message).toBe(NOTHING_CONFIGURED);
		expect(thrownBy(() => guard.reuse(request({}), undefined, undefined))).toEqual(error);

		const write = await verified(["write"]);
		expect(guard.reuse({ headers: {} }, undefined, write)).toBe(write);
		const read = await verified(["read"]);
		const scope = expectRefusal<InsufficientScopeError>(
			thrownBy(() => guard.reuse({ headers: {} }, undefined, read)),
			"insufficient_scope",
		);
		expect(scope.scope).toEqual(["write"]);
		expectRefusal(
			thrownBy(() => guard.reuse({ headers: {} }, undefined, null)),
			"token_missing",
		);
	});

	it("does not take a look-alike auth for a verified one", async () => {
		const guard = createAuthenticator({ permissions: ["write"] }, {});
		const lookAlike = { ...(await verified(["write"])) };
		expect(thrownBy(() => guard.reuse({ headers: {} }, undefined, lookAlike))).toBeInstanceOf(
			GuardSetupError,
		);
	});

	it("optional, after a guard that found no credentials: goes on; with permissions it never does", () => {
		const optional = createAuthenticator({ optional: true }, {});
		expect(optional.reuse({ headers: {} }, undefined, null)).toBeUndefined();
		const both = createAuthenticator({ optional: true, anyPermission: ["write"] }, {});
		expectRefusal(
			thrownBy(() => both.reuse({ headers: {} }, undefined, null)),
			"token_missing",
		);
		const none = createAuthenticator({}, {});
		expectRefusal(
			thrownBy(() => none.reuse({ headers: {} }, undefined, null)),
			"token_missing",
		);
	});

	it("configured by the environment: verifies when nothing ran before it, reuses when a guard did", async () => {
		const guard = createAuthenticator({ permissions: ["write"] }, ENV);
		expect(guard.reusesUpstream).toBe(true);
		expect(guard.verifier).toBeDefined();
		expect(
			(await settled(() => guard.authenticate(request({ permissions: ["write"] })))) as AuthResult,
		).toMatchObject({
			subject: "u1",
		});
		expectRefusal(
			(await settled(() => guard.authenticate(request({ permissions: ["read"] })))) as Error,
			"insufficient_scope",
		);
		// After a guard: its auth is checked, the request's own credentials are not read again.
		const write = await verified(["write"]);
		expect(guard.reuse({ headers: { authorization: "Bearer not-even-a-jwt" } }, undefined, write)).toBe(
			write,
		);
		// A look-alike is no upstream auth: the guard verifies the request itself.
		expect(
			(await settled(() =>
				guard.reuse(request({ permissions: ["write"] }), undefined, { ...write }),
			)) as AuthResult,
		).toMatchObject({ subject: "u1" });
	});

	it("validates its guard options when made, configured or not", () => {
		for (const env of [{}, ENV]) {
			expect(thrownBy(() => createAuthenticator({ anyPermission: [] }, env))).toEqual(
				new TypeError(
					'bearerguard: "anyPermission" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "anyPermission" out.',
				),
			);
			expect(thrownBy(() => createAuthenticator({ optional: "yes" as never }, env))).toEqual(
				new TypeError('bearerguard: "optional" must be true or false.'),
			);
		}
	});

	it("reuseUpstream: false makes a guard that always verifies (the Fastify plugin's own)", async () => {
		const guard = createAuthenticator(
			{ issuer: ISSUER, audience: AUDIENCE, secret: SECRET },
			{},
			{ reuseUpstream: false },
		);
		expect(guard.reusesUpstream).toBe(false);
		// reuse() ignores what it is given and verifies.
		const write = await verified(["write"]);
		expectRefusal(
			(await settled(() => guard.reuse({ headers: {} }, undefined, write))) as Error,
			"token_missing",
		);
	});

	it("a guard with verifier options does not reuse by default", () => {
		expect(
			createAuthenticator({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET }, {}).reusesUpstream,
		).toBe(false);
		expect(
			createAuthenticator({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET }, {}, { reuseUpstream: true })
				.reusesUpstream,
		).toBe(true);
	});
});

describe("createPermissionsCheck (requirePermissions)", () => {
	it("checks the auth of an earlier guard; null is the bare 401; none is a GuardSetupError", async () => {
		const check = createPermissionsCheck(["delete", "admin"]);
		const both = await verified(["delete", "admin"]);
		expect(check(both)).toBe(both);
		const deleteOnly = await verified(["delete"]);
		const scope = expectRefusal<InsufficientScopeError>(
			thrownBy(() => check(deleteOnly)),
			"insufficient_scope",
		);
		expect(scope.scope).toEqual(["delete", "admin"]);
		expectRefusal(
			thrownBy(() => check(null)),
			"token_missing",
		);
		const alone = thrownBy(() => check(undefined));
		expect(alone).toBeInstanceOf(GuardSetupError);
		expect((alone as Error).message).toBe(
			"bearerguard: requirePermissions('delete', 'admin') ran with no requireAuth before it on this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())).",
		);
		expect(thrownBy(() => check({ ...both }))).toBeInstanceOf(GuardSetupError);
	});

	it.each([[[]], [["read write"]], [[""]], [[7]]])("refuses %j with a TypeError", (permissions) => {
		expect(thrownBy(() => createPermissionsCheck(permissions))).toEqual(
			new TypeError(
				"bearerguard: requirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as requirePermissions('write').",
			),
		);
	});
});

describe("GuardSetupError", () => {
	it("is a 500 that frameworks do not show", () => {
		const error = new GuardSetupError("add something.");
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe("GuardSetupError");
		expect(error.message).toBe("bearerguard: add something.");
		expect([error.status, error.expose]).toEqual([500, false]);
		// No statusCode: Nest's default filter (before 11.2.8) sends the message of an error that has one.
		expect("statusCode" in error).toBe(false);
	});
});
