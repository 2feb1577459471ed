import { describe, expect, it } from "vitest";
import {
	createAuthenticator,
	type InsufficientScopeError,
	sharedVerifier,
	splitOptions,
	type VerifierInternals,
} from "../src/index.js";
import { expectRefusal, rejectionOf, thrownBy } from "./support/refusals.js";
import { forge } from "./support/tokens.js";

/** `authenticate` may answer synchronously (and throw): this turns both kinds of answer into a promise. */
function settled<T>(run: () => T | Promise<T>): Promise<T> {
	return new Promise<T>((resolve) => resolve(run()));
}

const SECRET = "authenticator-test-secret-0123456789";
const ENV = {
	BEARERGUARD_ISSUER: "https://env-issuer.example",
	BEARERGUARD_AUDIENCE: "https://env-api.example",
	BEARERGUARD_SECRET: SECRET,
};

function token(claims: Record<string, unknown>): string {
	return forge(
		{ alg: "HS256" },
		{ iss: "https://env-issuer.example", aud: "https://env-api.example", exp: 4e9, sub: "u1", ...claims },
		Buffer.from(SECRET),
	);
}

describe("splitOptions", () => {
	it("separates guard options from verifier options and drops undefined values", () => {
		expect(
			splitOptions({
				issuer: "i",
				audience: "a",
				permissions: ["write"],
				anyPermission: ["admin"],
				optional: true,
				realm: undefined,
				clockTolerance: "10s",
			}),
		).toEqual({
			verifier: { issuer: "i", audience: "a", clockTolerance: "10s" },
			guard: { permissions: ["write"], anyPermission: ["admin"], optional: true },
		});
	});
});

describe("sharedVerifier", () => {
	it("returns one verifier for the same options, whatever their order", () => {
		const a = sharedVerifier(
			{ issuer: "https://s1.example", audience: "x", jwks: { cooldown: 1, timeout: 2 } },
			{},
		);
		const b = sharedVerifier(
			{ jwks: { timeout: 2, cooldown: 1 }, audience: "x", issuer: "https://s1.example" },
			{},
		);
		expect(b).toBe(a);
	});

	it("returns another verifier for other options", () => {
		const a = sharedVerifier({ issuer: "https://s2.example", audience: "x" }, {});
		expect(sharedVerifier({ issuer: "https://s2.example", audience: "y" }, {})).not.toBe(a);
		expect(sharedVerifier({ issuer: ["https://s2.example"], audience: "x" }, {})).not.toBe(a);
	});

	it("tells functions apart by identity", () => {
		const isRevoked = () => false;
		const a = sharedVerifier({ issuer: "https://s3.example", audience: "x", isRevoked }, {});
		expect(sharedVerifier({ issuer: "https://s3.example", audience: "x", isRevoked }, {})).toBe(a);
		expect(
			sharedVerifier({ issuer: "https://s3.example", audience: "x", isRevoked: () => false }, {}),
		).not.toBe(a);
	});

	it("fills options not given from the environment; given options win", () => {
		const fromEnv = sharedVerifier({}, ENV) as VerifierInternals;
		expect(fromEnv.options.issuers).toEqual(["https://env-issuer.example"]);
		expect(fromEnv.options.audiences).toEqual(["https://env-api.example"]);
		const overridden = sharedVerifier({ audience: "https://mine.example" }, ENV) as VerifierInternals;
		expect(overridden.options.audiences).toEqual(["https://mine.example"]);
		expect(overridden.options.issuers).toEqual(["https://env-issuer.example"]);
	});

	it("counts an option given as undefined as not given", () => {
		const verifier = sharedVerifier(
			{ issuer: undefined, audience: "https://env-api.example" },
			ENV,
		) as VerifierInternals;
		expect(verifier.options.issuers).toEqual(["https://env-issuer.example"]);
	});

	it("throws the configuration TypeError when nothing says who the issuer is", () => {
		const error = thrownBy(() => sharedVerifier({ audience: "x" }, {}));
		expect(error).toEqual(
			new TypeError(
				'bearerguard: "issuer" is required: pass { issuer } or set BEARERGUARD_ISSUER (e.g. "https://auth.example.com/").',
			),
		);
	});
});

describe("createAuthenticator", () => {
	it("shares the verifier between guards with the same verifier options", () => {
		const read = createAuthenticator({ permissions: ["read"] }, ENV);
		const write = createAuthenticator({ anyPermission: ["write"], optional: true }, ENV);
		expect(write.verifier).toBe(read.verifier);
		expect(read.realm).toBe("api");
	});

	it("extracts, verifies and authorizes", async () => {
		const { authenticate } = createAuthenticator({ permissions: ["write"] }, ENV);
		const auth = await authenticate({
			headers: { authorization: `Bearer ${token({ permissions: ["write"] })}` },
		});
		expect(auth?.subject).toBe("u1");
		expect([...(auth?.permissions ?? [])]).toEqual(["write"]);
		const error = expectRefusal<InsufficientScopeError>(
			await rejectionOf(
				settled(() =>
					authenticate({ headers: { authorization: `Bearer ${token({ permissions: ["read"] })}` } }),
				),
			),
			"insufficient_scope",
		);
		expect(error.scope).toEqual(["write"]);
		expectRefusal(await rejectionOf(settled(() => authenticate({ headers: {} }))), "token_missing");
	});

	it("lets an optional guard go on without credentials", async () => {
		const { authenticate } = createAuthenticator({ optional: true }, ENV);
		expect(await authenticate({ headers: {} })).toBeUndefined();
	});

	it("uses the realm option for its challenges", async () => {
		const { authenticate, realm } = createAuthenticator({ realm: "shop" }, ENV);
		expect(realm).toBe("shop");
		const error = expectRefusal(
			await rejectionOf(settled(() => authenticate({ headers: {} }))),
			"token_missing",
		);
		expect(error.headers["www-authenticate"]).toBe('Bearer realm="shop"');
	});

	it("validates everything when created", () => {
		expect(thrownBy(() => createAuthenticator(null as never, ENV))).toEqual(
			new TypeError("bearerguard: options must be an object."),
		);
		expect(thrownBy(() => createAuthenticator({ permissions: ["read write"] }, ENV))).toEqual(
			new TypeError(
				"bearerguard: \"permissions\" must be an array of permission names without spaces, quotes or backslashes, such as ['read', 'write'].",
			),
		);
		expect(thrownBy(() => createAuthenticator({ clockTolerance: "soon" }, ENV))).toEqual(
			new TypeError(
				"bearerguard: \"clockTolerance\" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.",
			),
		);
	});
});
