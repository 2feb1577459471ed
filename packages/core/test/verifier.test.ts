import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	type AuthResult,
	createVerifier,
	type InsufficientScopeError,
	type TemporarilyUnavailableError,
	toErrorResponse,
	type VerifierOptions,
} from "../src/index.js";
import { expectRefusal, refusal, rejectionOf } from "./support/refusals.js";
import { forge, malleateEs256 } from "./support/tokens.js";

let issuer: TestIssuer;
beforeAll(async () => {
	issuer = await createTestIssuer({ algorithms: ["ES256"] });
});
afterAll(() => issuer.close());

const verifier = (extra: VerifierOptions = {}) =>
	createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri, ...extra });

describe("verify: the auth result", () => {
	it("holds the token, header, claims, subject, issuer, organization, permissions and expiry", async () => {
		const token = await issuer.sign(
			{ sub: "user_42", jti: "jti-42", org_id: "org_acme", scope: "read write", permissions: ["delete"] },
			{ expiresIn: 3600 },
		);
		const auth = await verifier({ organization: true }).verify(token);
		const claims = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
		expect({ ...auth, permissions: [...auth.permissions] }).toEqual({
			token,
			header: { alg: "ES256", kid: issuer.jwks.keys[0]?.kid },
			claims,
			subject: "user_42",
			issuer: issuer.issuer,
			organization: "org_acme",
			// In `permissionsClaim` order: `permissions` first, then `scope`.
			permissions: ["delete", "read", "write"],
			expiresAt: claims.exp,
			scheme: "Bearer",
			source: "jwt",
			confirmation: undefined,
		});
		expect(() => (auth.permissions as Set<string>).add("admin")).toThrow(
			new TypeError("bearerguard: auth.permissions is read-only."),
		);
		expect(auth.permissions.has("admin")).toBe(false);
		expect(Object.isFrozen(auth)).toBe(true);
		expect(Object.isFrozen(auth.claims)).toBe(true);
		expect(Object.isFrozen(auth.header)).toBe(true);
	});

	it("leaves organization undefined when the option is off, and subject undefined without sub", async () => {
		const auth = await verifier().verify(await issuer.sign({ sub: undefined, org_id: "org_acme" }));
		expect(auth.organization).toBeUndefined();
		expect(auth.subject).toBeUndefined();
		expect(auth.permissions.size).toBe(0);
	});

	it("refuses what is not a string as malformed", async () => {
		await refusal(verifier().verify(42 as unknown as string), "token_malformed");
		await refusal(verifier().verify(undefined as unknown as string), "token_malformed");
	});
});

describe("secret (HS256/384/512)", () => {
	it.each(["HS256", "HS384", "HS512"] as const)(
		"verifies %s tokens with the shared secret, fetching nothing",
		async (alg) => {
			const before = issuer.requests;
			const v = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				secret: issuer.secret,
				algorithms: ["HS256", "HS384", "HS512"],
			});
			const auth = await v.verify(await issuer.sign({}, { alg }));
			expect(auth.header).toEqual({ alg });
			expect(issuer.requests).toEqual(before);
		},
	);

	it("allows HS256 alone by default", async () => {
		const v = createVerifier({ issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret });
		expect((await v.verify(await issuer.sign({}, { alg: "HS256" }))).header?.alg).toBe("HS256");
		await refusal(v.verify(await issuer.sign({}, { alg: "HS512" })), "alg_not_allowed");
		await refusal(v.verify(await issuer.sign({}, { alg: "ES256" })), "alg_not_allowed");
	});

	it("refuses a token MACed with another secret", async () => {
		const v = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			secret: "another-secret-of-32-bytes-or-more",
		});
		await refusal(v.verify(await issuer.sign({}, { alg: "HS256" })), "signature_invalid");
	});

	it("takes the secret as bytes", async () => {
		const secret = new Uint8Array(48).fill(9);
		const v = createVerifier({ issuer: "my-issuer", audience: "my-api", secret, algorithms: ["HS384"] });
		const token = forge({ alg: "HS384" }, { iss: "my-issuer", aud: "my-api", exp: 4e9 }, secret);
		expect((await v.verify(token)).issuer).toBe("my-issuer");
	});
});

describe("organization", () => {
	const check = (extra: VerifierOptions["organization"], claims: Record<string, unknown>, header?: unknown) =>
		issuer
			.sign(claims)
			.then((token) =>
				verifier({ organization: extra }).verify(
					token,
					header === undefined ? undefined : { organization: header as string },
				),
			);

	it("reads org_id by default and checks its pattern", async () => {
		expect((await check(true, { org_id: "org_A1-b_2" })).organization).toBe("org_A1-b_2");
		expectRefusal(await rejectionOf(check(true, { org_id: "acme" })), "organization_invalid");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_" })), "organization_invalid");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_a b" })), "organization_invalid");
		expectRefusal(await rejectionOf(check(true, { org_id: 42 })), "organization_invalid");
		expectRefusal(await rejectionOf(check(true, { org_id: ["org_a"] })), "organization_invalid");
	});

	it("requires it by default: missing is the 400", async () => {
		const error = expectRefusal(await rejectionOf(check(true, {})), "organization_invalid");
		expect(toErrorResponse(error)).toEqual({
			status: 400,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate":
					'Bearer realm="api", error="invalid_request", error_description="Missing or invalid organization ID"',
			},
			body: '{"error":"invalid_request","message":"Missing or invalid organization ID"}',
		});
	});

	it("lets a token without one through when not required, but not a malformed one", async () => {
		expect((await check({ required: false }, {})).organization).toBeUndefined();
		expectRefusal(await rejectionOf(check({ required: false }, { org_id: "bad" })), "organization_invalid");
	});

	it("reads another claim with another pattern", async () => {
		const options = { claim: "tenant", pattern: /^t-\d+$/ };
		expect((await check(options, { tenant: "t-7", org_id: "junk" })).organization).toBe("t-7");
		expectRefusal(await rejectionOf(check(options, { org_id: "org_a" })), "organization_invalid");
	});

	it("matches the request's organization header when the request has one", async () => {
		expect((await check(true, { org_id: "org_a" }, "org_a")).organization).toBe("org_a");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_a" }, "org_b")), "organization_mismatch");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_a" }, "ORG_A")), "organization_mismatch");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_a" }, "")), "organization_mismatch");
		expectRefusal(await rejectionOf(check(true, { org_id: "org_a" }, ["org_a"])), "organization_mismatch");
		expectRefusal(await rejectionOf(check({ required: false }, {}, "org_a")), "organization_mismatch");
	});

	describe("through guard() with organization.header", () => {
		const guard = async (headers: Record<string, string | string[]>, claims: Record<string, unknown>) => {
			const v = verifier({ organization: { header: "X-Organization-ID" } });
			const token = await issuer.sign(claims);
			return v.guard()({ headers: { authorization: `Bearer ${token}`, ...headers } });
		};

		it("accepts a matching header", async () => {
			expect((await guard({ "x-organization-id": "org_a" }, { org_id: "org_a" }))?.organization).toBe(
				"org_a",
			);
		});

		it("accepts an absent header: the token's organization stands", async () => {
			expect((await guard({}, { org_id: "org_a" }))?.organization).toBe("org_a");
		});

		it("refuses a mismatched header with the 400", async () => {
			expectRefusal(
				await rejectionOf(guard({ "x-organization-id": "org_b" }, { org_id: "org_a" })),
				"organization_mismatch",
			);
		});

		it("refuses a repeated header (an array) with the 400", async () => {
			expectRefusal(
				await rejectionOf(guard({ "x-organization-id": ["org_a", "org_a"] }, { org_id: "org_a" })),
				"organization_mismatch",
			);
		});
	});
});

describe("permissionsClaim", () => {
	it("splits a string on spaces and merges arrays, from the default claims", async () => {
		const auth = await verifier().verify(
			await issuer.sign({ scope: "read  write", scp: ["a"], roles: ["ROLE_ADMIN"], permissions: ["delete"] }),
		);
		expect([...auth.permissions].sort()).toEqual(["ROLE_ADMIN", "a", "delete", "read", "write"]);
	});

	it("reads only the claims configured", async () => {
		const auth = await verifier({ permissionsClaim: "perms" }).verify(
			await issuer.sign({ perms: "read write", scope: "admin", permissions: 7 }),
		);
		expect([...auth.permissions]).toEqual(["read", "write"]);
		const array = await verifier({ permissionsClaim: ["perms"] }).verify(
			await issuer.sign({ perms: ["x", "y"] }),
		);
		expect([...array.permissions]).toEqual(["x", "y"]);
	});

	it("refuses a permissions claim of the wrong type as claim_invalid", async () => {
		await refusal(
			verifier({ permissionsClaim: "perms" }).verify(await issuer.sign({ perms: { read: true } })),
			"claim_invalid",
		);
		await refusal(verifier().verify(await issuer.sign({ scope: 5 })), "claim_invalid");
		await refusal(verifier().verify(await issuer.sign({ roles: ["admin", null] })), "claim_invalid");
	});
});

describe("isRevoked", () => {
	it("refuses a revoked token and passes the auth result", async () => {
		const seen: AuthResult[] = [];
		const v = verifier({
			isRevoked: async (auth) => {
				seen.push(auth);
				return auth.claims.jti === "revoked-jti";
			},
		});
		const good = await v.verify(await issuer.sign({ jti: "fine-jti" }));
		const error = await refusal(v.verify(await issuer.sign({ jti: "revoked-jti" })), "revoked");
		expect(toErrorResponse(error).headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_token", error_description="Token has been revoked"',
		);
		expect(seen[0]).toBe(good);
		expect(seen.map((auth) => auth.claims.jti)).toEqual(["fine-jti", "revoked-jti"]);
	});

	it("answers 503 revocation_check_failed when the check throws, keeping the cause", async () => {
		const cause = new Error("redis down");
		const v = verifier({
			isRevoked: () => {
				throw cause;
			},
		});
		const error = await refusal<TemporarilyUnavailableError>(
			v.verify(await issuer.sign()),
			"revocation_check_failed",
		);
		expect(error.cause).toBe(cause);
		expect(error.retryAfter).toBe(1);
		expect(toErrorResponse(error)).toEqual({
			status: 503,
			headers: { "content-type": "application/json", "cache-control": "no-store", "retry-after": "1" },
			body: '{"error":"temporarily_unavailable","message":"Token revocation status is temporarily unavailable"}',
		});
		const rejected = verifier({ isRevoked: () => Promise.reject(new Error("timeout")) });
		await refusal(rejected.verify(await issuer.sign()), "revocation_check_failed");
	});

	it("keyed on jti, also refuses the malleable ECDSA twin (s replaced by n - s) of a revoked token", async () => {
		const token = await issuer.sign({ jti: "revoked-jti" });
		const twin = malleateEs256(token);
		expect(twin).not.toBe(token);
		// The twin is a valid signature of the same token: a cache or a revocation list keyed on the
		// token string would miss it.
		const plain = verifier();
		expect((await plain.verify(twin)).claims.jti).toBe("revoked-jti");
		const v = verifier({ isRevoked: (auth) => auth.claims.jti === "revoked-jti" });
		await refusal(v.verify(token), "revoked");
		await refusal(v.verify(twin), "revoked");
	});
});

describe("validate", () => {
	it("passes on true or undefined, sync or async", async () => {
		for (const validate of [() => true, () => undefined, async () => true]) {
			expect((await verifier({ validate }).verify(await issuer.sign())).subject).toBe("user_123");
		}
	});

	it("refuses with validation_failed on false", async () => {
		await refusal(verifier({ validate: () => false }).verify(await issuer.sign()), "validation_failed");
		await refusal(verifier({ validate: async () => false }).verify(await issuer.sign()), "validation_failed");
		const v = verifier({ validate: (auth) => auth.claims.tier === "pro" });
		expect((await v.verify(await issuer.sign({ tier: "pro" }))).claims.tier).toBe("pro");
		await refusal(v.verify(await issuer.sign({ tier: "free" })), "validation_failed");
	});

	it("refuses with validation_failed when it throws, keeping the cause out of the message", async () => {
		const cause = new Error("tier 'free' of user_123 not allowed");
		const error = await refusal(
			verifier({
				validate: () => {
					throw cause;
				},
			}).verify(await issuer.sign()),
			"validation_failed",
		);
		expect(error.cause).toBe(cause);
		expect(toErrorResponse(error).body).toBe('{"error":"invalid_token","message":"Token failed validation"}');
	});

	it("runs before isRevoked", async () => {
		let revokedCalls = 0;
		const v = verifier({
			validate: () => false,
			isRevoked: () => {
				revokedCalls++;
				return true;
			},
		});
		await refusal(v.verify(await issuer.sign()), "validation_failed");
		expect(revokedCalls).toBe(0);
	});
});

describe("maxTokenLength", () => {
	it("refuses longer tokens before any parsing (default 8192)", async () => {
		const v = verifier();
		await refusal(v.verify("x".repeat(8193)), "token_too_long");
		await refusal(v.verify("x".repeat(8192)), "token_malformed");
		const big = await issuer.sign({ pad: "p".repeat(9000) });
		await refusal(v.verify(big), "token_too_long");
		expect(v.keys.cacheOf(issuer.issuer)?.fetches).toBe(0);
	});

	it("takes a lower limit", async () => {
		const token = await issuer.sign();
		await refusal(verifier({ maxTokenLength: token.length - 1 }).verify(token), "token_too_long");
		expect((await verifier({ maxTokenLength: token.length }).verify(token)).token).toBe(token);
	});
});

describe("realm", () => {
	it("is 'api' by default and set on every error", async () => {
		expect(verifier().realm).toBe("api");
		const v = verifier({ realm: "products" });
		expect(v.realm).toBe("products");
		const error = await refusal(v.verify("a.b.c"), "token_malformed");
		expect(error.realm).toBe("products");
		expect(error.headers["www-authenticate"]).toBe(
			'Bearer realm="products", error="invalid_token", error_description="Malformed token"',
		);
	});
});

describe("guard()", () => {
	const bearer = async (claims: Record<string, unknown>) => ({
		headers: { authorization: `Bearer ${await issuer.sign(claims)}` },
	});

	it("requires every permission, naming them all in the 403", async () => {
		const guard = verifier().guard({ permissions: ["read", "write"] });
		expect((await guard(await bearer({ permissions: ["read", "write", "x"] })))?.subject).toBe("user_123");
		const error = expectRefusal<InsufficientScopeError>(
			await rejectionOf(guard(await bearer({ permissions: ["read"] }))),
			"insufficient_scope",
		);
		expect(error.scope).toEqual(["read", "write"]);
		expect(error.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="read write"',
		);
	});

	it("requires one of anyPermission, listing all of them in the 403", async () => {
		const guard = verifier().guard({ anyPermission: ["admin", "ROLE_ADMIN"] });
		expect((await guard(await bearer({ roles: ["ROLE_ADMIN"] })))?.subject).toBe("user_123");
		const error = expectRefusal<InsufficientScopeError>(
			await rejectionOf(guard(await bearer({ scope: "read" }))),
			"insufficient_scope",
		);
		expect(error.scope).toEqual(["admin", "ROLE_ADMIN"]);
	});

	it("checks in the contract's order: header 400, token 401, custom checks 401, organization 400, permissions 403", async () => {
		const v = verifier({
			organization: true,
			isRevoked: (auth) => auth.claims.jti === "revoked",
		});
		const guard = v.guard({ permissions: ["write"] });
		expectRefusal(
			await rejectionOf(guard({ headers: { authorization: "Bearer a b" } })),
			"authorization_malformed",
		);
		expectRefusal(
			await rejectionOf(guard(await bearer({ jti: "revoked", org_id: "bad", aud: "https://other.example" }))),
			"audience_mismatch",
		);
		expectRefusal(await rejectionOf(guard(await bearer({ jti: "revoked", org_id: "bad" }))), "revoked");
		expectRefusal(await rejectionOf(guard(await bearer({ org_id: "bad" }))), "organization_invalid");
		expectRefusal(await rejectionOf(guard(await bearer({ org_id: "org_a" }))), "insufficient_scope");
		expect((await guard(await bearer({ org_id: "org_a", permissions: ["write"] })))?.organization).toBe(
			"org_a",
		);
	});

	it("lets an optional guard through without credentials only", async () => {
		const guard = verifier().guard({ optional: true });
		expect(await guard({ headers: {} })).toBeUndefined();
		expect(await guard({ headers: { authorization: "Basic dXNlcjpwYXNz" } })).toBeUndefined();
		expectRefusal(await rejectionOf(guard(await bearer({ aud: "x" }))), "audience_mismatch");
	});

	it("never lets optional open a guard that requires permissions: no credentials is the bare 401", async () => {
		for (const options of [
			{ optional: true, permissions: ["read"] },
			{ optional: true, anyPermission: ["read", "admin"] },
		]) {
			const guard = verifier().guard(options);
			const error = expectRefusal(await rejectionOf(guard({ headers: {} })), "token_missing");
			expect(error.headers["www-authenticate"]).toBe('Bearer realm="api"');
			expectRefusal(await rejectionOf(guard(await bearer({ scope: "write" }))), "insufficient_scope");
			expect((await guard(await bearer({ scope: "read" })))?.permissions.has("read")).toBe(true);
		}
	});

	it("answers the bare 401 without credentials", async () => {
		const error = expectRefusal(await rejectionOf(verifier().guard()({ headers: {} })), "token_missing");
		expect(error.headers["www-authenticate"]).toBe('Bearer realm="api"');
	});
});

describe("custom checks keep a cached token synchronous", () => {
	it("answers at once when validate and isRevoked answer at once, and waits when they return promises", async () => {
		const issuer = await createTestIssuer();
		try {
			const revoked = new Set<string>();
			const sync = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				validate: (auth) => auth.subject !== "blocked",
				isRevoked: (auth) => revoked.has(auth.claims.jti as string),
			}).compileGuard();
			const token = await issuer.sign({ jti: "j-1" });
			const request = { headers: { authorization: `Bearer ${token}` } };
			await sync(request);
			await sync(request);
			const hit = sync(request);
			expect(hit).not.toBeInstanceOf(Promise);
			expect((hit as { subject?: string }).subject).toBe("user_123");
			revoked.add("j-1");
			expect(() => sync(request)).toThrow(expect.objectContaining({ reason: "revoked", status: 401 }));

			const async = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				isRevoked: async () => false,
				tokenCache: { max: 10 },
			}).compileGuard();
			await async(request);
			const pending = async(request);
			expect(pending).toBeInstanceOf(Promise);
			await expect(pending).resolves.toMatchObject({ subject: "user_123" });
		} finally {
			await issuer.close();
		}
	});

	it("answers 503 when a synchronous isRevoked throws, and 401 when a synchronous validate throws", async () => {
		const issuer = await createTestIssuer();
		try {
			const token = await issuer.sign();
			const request = { headers: { authorization: `Bearer ${token}` } };
			const failing = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				isRevoked: () => {
					throw new Error("mirror is stale");
				},
			}).guard();
			await expect(failing(request)).rejects.toMatchObject({
				status: 503,
				reason: "revocation_check_failed",
				retryAfter: 1,
			});
			const invalid = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				validate: () => {
					throw new Error("no");
				},
			}).guard();
			await expect(invalid(request)).rejects.toMatchObject({ status: 401, reason: "validation_failed" });
		} finally {
			await issuer.close();
		}
	});
});
