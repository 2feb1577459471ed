import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
	type AuthResult,
	CHANNELS,
	createVerifier,
	FetchError,
	type FetchEvent,
	type IntrospectionOptions,
	type TemporarilyUnavailableError,
	type VerifierOptions,
} from "../../src/index.js";
import { isJwtShaped, MAX_PENDING_INTROSPECTIONS } from "../../src/schemes/introspection.js";
import {
	closedPortUrl,
	type FaultyServer,
	garbageServer,
	hangingServer,
	hugeBodyServer,
	jsonServer,
	redirectLoopServer,
	routedServer,
} from "../support/faulty-servers.js";
import { advanceClock, freezeClock, NOW, refusal, unfreezeClock } from "../support/refusals.js";

let issuer: TestIssuer;
const servers: FaultyServer[] = [];
beforeAll(async () => {
	issuer = await createTestIssuer({ audience: "https://api.example" });
});
afterAll(() => issuer.close());
afterEach(async () => {
	unfreezeClock();
	issuer.setIntrospection(undefined);
	await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function track(server: Promise<FaultyServer>): Promise<FaultyServer> {
	const started = await server;
	servers.push(started);
	return started;
}

const client = () => issuer.introspectionClient;
function verifierWith(introspection: Partial<IntrospectionOptions> = {}, extra: VerifierOptions = {}) {
	return createVerifier({
		issuer: issuer.issuer,
		audience: issuer.audience,
		introspection: { ...client(), ...introspection },
		...extra,
	});
}

const calls = () => issuer.requests.introspection;

describe("an active opaque token", () => {
	it("authenticates as the introspection answer: the raw token, no header, scheme Bearer, source introspection", async () => {
		const token = issuer.issueOpaqueToken({ sub: "user_42", scope: "read write", permissions: ["delete"] });
		const auth = await verifierWith().verify(token);
		const claims = auth.claims;
		expect({ ...auth, permissions: [...auth.permissions] }).toEqual({
			token,
			header: undefined,
			claims,
			subject: "user_42",
			issuer: issuer.issuer,
			organization: undefined,
			permissions: ["delete", "read", "write"],
			expiresAt: claims.exp,
			scheme: "Bearer",
			source: "introspection",
			confirmation: undefined,
		});
		expect(claims).toMatchObject({
			active: true,
			client_id: "client_123",
			sub: "user_42",
			aud: issuer.audience,
			iss: issuer.issuer,
			token_type: "Bearer",
		});
		expect(Object.isFrozen(auth)).toBe(true);
		expect(Object.isFrozen(auth.claims)).toBe(true);
	});

	it("finds the endpoint in the issuer's metadata, one fetch shared with the JWKS", async () => {
		const own = await createTestIssuer({ audience: "https://api.example" });
		try {
			const verifier = createVerifier({
				issuer: own.issuer,
				audience: own.audience,
				introspection: own.introspectionClient,
			});
			await verifier.verify(await own.sign());
			await verifier.verify(own.issueOpaqueToken());
			expect(own.requests.discovery).toBe(1);
			expect(own.requests.introspection).toBe(1);
		} finally {
			await own.close();
		}
	});

	it("takes a configured endpoint, and client_secret_post", async () => {
		const verifier = verifierWith({ endpoint: issuer.introspectionEndpoint, auth: "client_secret_post" });
		expect((await verifier.verify(issuer.issueOpaqueToken({ sub: "svc" }))).subject).toBe("svc");
	});

	it("reads the organization claim as for a JWT", async () => {
		const verifier = verifierWith({}, { organization: true });
		expect((await verifier.verify(issuer.issueOpaqueToken({ org_id: "org_acme" }))).organization).toBe(
			"org_acme",
		);
		await refusal(verifier.verify(issuer.issueOpaqueToken()), "organization_invalid");
		await refusal(
			verifier.verify(issuer.issueOpaqueToken({ org_id: "org_acme" }), { organization: "org_x" }),
			"organization_mismatch",
		);
	});
});

describe("refused tokens", () => {
	it("inactive (unknown, revoked): 401 token_inactive, remembered for 5 s", async () => {
		freezeClock();
		const verifier = verifierWith();
		const token = "opaque-token-the-issuer-never-issued";
		const before = calls();
		await refusal(verifier.verify(token), "token_inactive");
		await refusal(verifier.verify(token), "token_inactive");
		expect(calls() - before).toBe(1);
		advanceClock(5);
		await refusal(verifier.verify(token), "token_inactive");
		expect(calls() - before).toBe(2);
	});

	it.each([
		["expired", { exp: NOW - 60 }, "token_expired"],
		["not yet valid", { nbf: NOW + 600 }, "not_yet_valid"],
		["for another audience", { aud: "https://other.example" }, "audience_mismatch"],
		[
			"for none of several audiences",
			{ aud: ["https://a.example", "https://b.example"] },
			"audience_mismatch",
		],
		["from another issuer", { iss: "https://evil.example/" }, "issuer_mismatch"],
		["with exp as a string", { exp: "tomorrow" }, "claim_invalid"],
		["with scope as a list", { scope: ["read"] }, "claim_invalid"],
		["with a numeric audience", { aud: 42 }, "claim_invalid"],
	] as const)("%s: the 401 %s", async (_name, claims, reason) => {
		freezeClock();
		issuer.setIntrospection({ active: true, sub: "user_1", ...claims });
		await refusal(verifierWith().verify("opaque-token-1"), reason);
	});

	it("accepts an answer with only active: true (no exp, no iss, no aud): the issuer is the endpoint's", async () => {
		issuer.setIntrospection({ active: true });
		const auth = await verifierWith().verify("minimal-answer");
		expect([auth.issuer, auth.subject, auth.expiresAt, auth.permissions.size]).toEqual([
			issuer.issuer,
			undefined,
			undefined,
			0,
		]);
	});

	it("a token bound to a key (cnf) is never a bearer token", async () => {
		const token = issuer.issueOpaqueToken(
			{},
			{ cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } },
		);
		await refusal(verifierWith().verify(token), "token_dpop_bound");
	});

	it("a revoked token is refused once its cached answer ends", async () => {
		freezeClock();
		const verifier = verifierWith({ cacheMaxAge: 30 });
		const token = issuer.issueOpaqueToken();
		await verifier.verify(token);
		issuer.revoke(token);
		await verifier.verify(token);
		advanceClock(30);
		await refusal(verifier.verify(token), "token_inactive");
	});
});

describe("the cache", () => {
	it("keeps an active answer until cacheMaxAge", async () => {
		freezeClock();
		const verifier = verifierWith({ cacheMaxAge: 60 });
		const token = issuer.issueOpaqueToken({}, { expiresIn: 3600 });
		const before = calls();
		const first = await verifier.verify(token);
		advanceClock(59);
		expect(await verifier.verify(token)).toBe(first);
		expect(calls() - before).toBe(1);
		advanceClock(1);
		await verifier.verify(token);
		expect(calls() - before).toBe(2);
		expect(verifier.introspector?.cache.hits).toBeGreaterThanOrEqual(1);
	});

	it("and never past the token's exp", async () => {
		freezeClock();
		const verifier = verifierWith({ cacheMaxAge: 600 });
		const token = issuer.issueOpaqueToken({}, { expiresIn: 30 });
		const before = calls();
		await verifier.verify(token);
		advanceClock(29);
		await verifier.verify(token);
		expect(calls() - before).toBe(1);
		advanceClock(1);
		await refusal(verifier.verify(token), "token_inactive");
		expect(calls() - before).toBe(2);
	});

	it("answers a cached token synchronously, keyed by its hash, never holding it as a key", async () => {
		const verifier = verifierWith();
		const token = issuer.issueOpaqueToken();
		await verifier.verify(token);
		const again = verifier.verifyToken(token, undefined, true);
		expect(again instanceof Promise).toBe(false);
		expect((again as AuthResult).token).toBe(token);
		const key = verifier.introspector?.cache.keyOf(token);
		expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(key).not.toContain(token.slice(0, 16));
	});

	it("makes one call for 100 concurrent requests with one new token", async () => {
		const verifier = verifierWith();
		const token = issuer.issueOpaqueToken({ sub: "crowd" });
		const before = calls();
		const results = await Promise.all(Array.from({ length: 100 }, () => verifier.verify(token)));
		expect(calls() - before).toBe(1);
		expect(new Set(results).size).toBe(1);
		expect(results[0]?.subject).toBe("crowd");
	});

	it("stays bounded under a flood of distinct bad tokens, and the good answers stay", async () => {
		const verifier = verifierWith({ cacheMaxEntries: 50 });
		const good = issuer.issueOpaqueToken();
		await verifier.verify(good);
		issuer.setIntrospection({ active: false });
		for (let round = 0; round < 4; round++) {
			await Promise.all(
				Array.from({ length: 100 }, (_, index) =>
					refusal(verifier.verify(`flood-${round}-${index}`), "token_inactive"),
				),
			);
		}
		expect(verifier.introspector?.cache.size).toEqual({ active: 1, refused: 50 });
		const before = calls();
		await verifier.verify(good);
		expect(calls()).toBe(before);
	});
});

describe("which tokens are introspected", () => {
	it("JWTs are verified by signature unless introspection.jwt", async () => {
		const jwt = await issuer.sign({ sub: "jwt-user" });
		const before = calls();
		const local = await verifierWith().verify(jwt);
		expect([local.source, calls() - before]).toEqual(["jwt", 0]);
		const introspected = await verifierWith({ jwt: true }).verify(jwt);
		expect([introspected.source, introspected.subject, calls() - before]).toEqual([
			"introspection",
			"jwt-user",
			1,
		]);
	});

	it("with introspection.jwt, a revoked JWT is refused once its cached answer ends", async () => {
		freezeClock();
		const verifier = verifierWith({ jwt: true, cacheMaxAge: 10 });
		const jwt = await issuer.sign();
		await verifier.verify(jwt);
		issuer.revoke(jwt);
		advanceClock(10);
		await refusal(verifier.verify(jwt), "token_inactive");
	});

	it("a token with dots that is not a JWT is introspected", async () => {
		issuer.setIntrospection({ active: true, sub: "dotted" });
		expect((await verifierWith().verify("abc.def.ghi")).subject).toBe("dotted");
		expect((await verifierWith().verify("v2.opaque")).subject).toBe("dotted");
	});

	it("without introspection, an opaque token is the 401 for a malformed token", async () => {
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		await refusal(verifier.verify(issuer.issueOpaqueToken()), "token_malformed");
	});

	it.each([
		["eyJhbGciOiJSUzI1NiJ9.e30.c2ln", true],
		["eyJhbGciOiJSUzI1NiJ9.e30.", true],
		["eyJ0eXAiOiJKV1QifQ.e30.c2ln", false],
		["abc.def.ghi", false],
		["2YotnFZFEjr1zCsicMWpAA", false],
		["a.b", false],
	])("isJwtShaped(%s) is %s", (token, shaped) => {
		expect(isJwtShaped(token)).toBe(shaped);
	});
});

describe("failures of the endpoint are the 503, never a 401", () => {
	const unavailable = async (options: Partial<IntrospectionOptions>, code: string) => {
		const verifier = verifierWith({ timeout: "500ms", ...options });
		const started = performance.now();
		const error = await refusal<TemporarilyUnavailableError>(
			verifier.verify("opaque-abc"),
			"introspection_failed",
		);
		expect(performance.now() - started).toBeLessThan(3000);
		expect(error.retryAfter).toBe(1);
		expect(error.message).toBe("Token introspection is temporarily unavailable");
		expect(error.cause).toBeInstanceOf(FetchError);
		expect((error.cause as FetchError).code).toBe(code);
		// Not cached: the next request calls again.
		await refusal(verifier.verify("opaque-abc"), "introspection_failed");
		return verifier;
	};

	it("down", async () => {
		await unavailable({ endpoint: await closedPortUrl("/introspect") }, "ECONNREFUSED");
	});

	it("hanging: within the timeout", async () => {
		const server = await track(hangingServer());
		await unavailable({ endpoint: `${server.origin}/introspect` }, "TIMEOUT");
		expect(server.requests).toEqual(["POST /introspect", "POST /introspect"]);
	});

	it("hanging in the test issuer", async () => {
		issuer.setIntrospection({ active: true }, { delay: Number.POSITIVE_INFINITY });
		await unavailable({}, "TIMEOUT");
	});

	it("garbage", async () => {
		const server = await track(garbageServer());
		await unavailable({ endpoint: server.url }, "NOT_JSON");
	});

	it("oversized, declared or streamed", async () => {
		for (const declared of [true, false]) {
			const server = await track(hugeBodyServer(declared));
			await unavailable({ endpoint: server.url }, "TOO_LARGE");
		}
	});

	it.each([
		["an array", []],
		["no active", { sub: "x" }],
		["active as a string", { active: "true" }],
		["nested 40 levels deep", JSON.parse(`{"active":true,"x":${"[".repeat(40)}${"]".repeat(40)}}`)],
	])("an answer that is not an introspection: %s", async (_name, body) => {
		const server = await track(jsonServer(body));
		await unavailable({ endpoint: server.url }, "NOT_INTROSPECTION");
	});

	it("duplicate members", async () => {
		const server = await track(jsonServer('{"active":false,"active":true}'));
		await unavailable({ endpoint: server.url }, "NOT_INTROSPECTION");
	});

	it.each([
		[500, "HTTP_STATUS"],
		[401, "HTTP_STATUS"],
	])("a %s", async (status, code) => {
		const server = await track(jsonServer({ error: "invalid_client" }, { status }));
		await unavailable({ endpoint: server.url }, code);
	});

	it("a wrong client secret (the issuer's 401)", async () => {
		await unavailable({ clientSecret: "wrong" }, "HTTP_STATUS");
	});

	it("a redirect", async () => {
		const server = await track(redirectLoopServer());
		await unavailable({ endpoint: server.url }, "REDIRECT");
	});

	it("metadata without introspection_endpoint: retried only after 5 s", async () => {
		freezeClock();
		const server = await track(
			routedServer({
				"/.well-known/openid-configuration": (origin) => ({ issuer: origin, jwks_uri: `${origin}/jwks` }),
			}),
		);
		const verifier = createVerifier({
			issuer: server.origin,
			audience: "https://api.example",
			introspection: { clientId: "a", clientSecret: "b" },
		});
		const error = await refusal(verifier.verify("opaque"), "introspection_failed");
		expect((error.cause as FetchError).code).toBe("NO_INTROSPECTION_ENDPOINT");
		await refusal(verifier.verify("opaque-2"), "introspection_failed");
		expect(server.requests).toEqual([
			"GET /.well-known/openid-configuration",
			"GET /.well-known/oauth-authorization-server",
		]);
		advanceClock(5);
		await refusal(verifier.verify("opaque-3"), "introspection_failed");
		expect(server.requests).toHaveLength(4);
	});

	it(`refuses more than ${MAX_PENDING_INTROSPECTIONS} tokens in flight at once`, async () => {
		const server = await track(hangingServer());
		const verifier = verifierWith({ endpoint: server.url, timeout: "2s" });
		const results = await Promise.allSettled(
			Array.from({ length: MAX_PENDING_INTROSPECTIONS + 20 }, (_, index) => verifier.verify(`t-${index}`)),
		);
		const causes = results.map((result) =>
			result.status === "rejected" ? ((result.reason as Error).cause as Error).message : "resolved",
		);
		expect(
			causes.filter(
				(cause) => cause === `over ${MAX_PENDING_INTROSPECTIONS} tokens are being introspected at once`,
			),
		).toHaveLength(20);
		expect(results.every((result) => result.status === "rejected")).toBe(true);
	}, 20_000);
});

describe("the request", () => {
	it("POSTs token and token_type_hint as a form, the client by HTTP Basic (form-encoded id and secret)", async () => {
		const seen: { headers: Record<string, unknown>; body: string }[] = [];
		const { startServer } = await import("../support/faulty-servers.js");
		const server = await track(
			startServer((req, res) => {
				let body = "";
				req.on("data", (chunk) => {
					body += chunk;
				});
				req.on("end", () => {
					seen.push({ headers: req.headers, body });
					res.writeHead(200, { "content-type": "application/json" }).end('{"active":true}');
				});
			}),
		);
		const endpoint = `${server.origin}/introspect`;
		await createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			introspection: { endpoint, clientId: "my app", clientSecret: "s3cr:t+%" },
		}).verify("tok/en+=");
		expect(seen[0]?.body).toBe("token=tok%2Fen%2B%3D&token_type_hint=access_token");
		expect(seen[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
		expect(seen[0]?.headers.accept).toBe("application/json");
		expect(seen[0]?.headers.authorization).toBe(
			`Basic ${Buffer.from("my+app:s3cr%3At%2B%25").toString("base64")}`,
		);
		await createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			introspection: { endpoint, clientId: "my app", clientSecret: "s3cr:t", auth: "client_secret_post" },
		}).verify("second");
		expect(seen[1]?.body).toBe(
			"token=second&token_type_hint=access_token&client_id=my+app&client_secret=s3cr%3At",
		);
		expect(seen[1]?.headers.authorization).toBeUndefined();
	});

	it("publishes a bearerguard:fetch event of kind introspection, without the token", async () => {
		const events: FetchEvent[] = [];
		const listener = (message: unknown) => events.push(message as FetchEvent);
		subscribe(CHANNELS.fetch, listener);
		try {
			const token = issuer.issueOpaqueToken();
			await verifierWith({ endpoint: issuer.introspectionEndpoint }).verify(token);
			expect(
				events.map((event) => [event.kind, event.url, event.issuer, event.outcome, event.status]),
			).toEqual([["introspection", issuer.introspectionEndpoint, issuer.issuer, "success", 200]]);
			expect(JSON.stringify(events)).not.toContain(token);
		} finally {
			unsubscribe(CHANNELS.fetch, listener);
		}
	});
});
