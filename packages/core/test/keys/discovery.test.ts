import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type TemporarilyUnavailableError, toErrorResponse } from "../../src/index.js";
import { Discovery, metadataUrls } from "../../src/keys/discovery.js";
import { FetchError } from "../../src/keys/fetch-json.js";
import { type FaultyServer, hangingServer, routedServer } from "../support/faulty-servers.js";
import { expectRefusal, freezeClock, refusal, rejectionOf, unfreezeClock } from "../support/refusals.js";

const OPENID = "/.well-known/openid-configuration";
const OAUTH = "/.well-known/oauth-authorization-server";

const servers: Array<FaultyServer | TestIssuer> = [];
async function track<T extends FaultyServer | TestIssuer>(server: Promise<T>): Promise<T> {
	const started = await server;
	servers.push(started);
	return started;
}
afterEach(async () => {
	unfreezeClock();
	await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("metadataUrls", () => {
	it.each([
		[
			"https://auth.example.com",
			[
				"https://auth.example.com/.well-known/openid-configuration",
				"https://auth.example.com/.well-known/oauth-authorization-server",
			],
		],
		[
			"https://auth.example.com/",
			[
				"https://auth.example.com/.well-known/openid-configuration",
				"https://auth.example.com/.well-known/oauth-authorization-server",
			],
		],
		[
			"https://auth.example.com/tenant-a",
			[
				"https://auth.example.com/tenant-a/.well-known/openid-configuration",
				"https://auth.example.com/.well-known/oauth-authorization-server/tenant-a",
			],
		],
		[
			"https://auth.example.com/realms/main/",
			[
				"https://auth.example.com/realms/main/.well-known/openid-configuration",
				"https://auth.example.com/.well-known/oauth-authorization-server/realms/main",
			],
		],
		[
			"http://127.0.0.1:8080",
			[
				"http://127.0.0.1:8080/.well-known/openid-configuration",
				"http://127.0.0.1:8080/.well-known/oauth-authorization-server",
			],
		],
	])("for %s: OpenID Connect first, then RFC 8414", (issuer, urls) => {
		expect(metadataUrls(issuer)).toEqual(urls);
	});
});

describe("Discovery.resolve", () => {
	it("finds jwks_uri in the OpenID document, once", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const discovery = new Discovery(issuer.issuer, 2);
		expect(await discovery.resolve()).toBe(issuer.jwksUri);
		expect(await discovery.resolve()).toBe(issuer.jwksUri);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 0, introspection: 0 });
	});

	it("falls back to the OAuth metadata when there is no OpenID document", async () => {
		const issuer = await track(
			createTestIssuer({ algorithms: ["ES256"], discovery: "oauth", issuerPath: "/tenant-a" }),
		);
		expect(await new Discovery(issuer.issuer, 2).resolve()).toBe(issuer.jwksUri);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 0, introspection: 0 });
	});

	it("asks the two documents in order", async () => {
		const server = await track(
			routedServer({
				[OAUTH]: (origin) => ({ issuer: origin, jwks_uri: `${origin}/keys` }),
			}),
		);
		expect(await new Discovery(server.origin, 2).resolve()).toBe(`${server.origin}/keys`);
		expect(server.requests).toEqual([`GET ${OPENID}`, `GET ${OAUTH}`]);
	});

	it("accepts a jwks_uri on another origin", async () => {
		const server = await track(
			routedServer({ [OPENID]: (origin) => ({ issuer: origin, jwks_uri: "https://keys.example.net/jwks" }) }),
		);
		expect(await new Discovery(server.origin, 2).resolve()).toBe("https://keys.example.net/jwks");
	});

	it("refuses a document that names another issuer: discovery_issuer_mismatch, without trying the other", async () => {
		const server = await track(
			routedServer({
				[OPENID]: { body: { issuer: "https://evil.example", jwks_uri: "https://evil.example/jwks" } },
				[OAUTH]: (origin) => ({ issuer: origin, jwks_uri: `${origin}/keys` }),
			}),
		);
		const error = expectRefusal<TemporarilyUnavailableError>(
			await rejectionOf(new Discovery(server.origin, 2).resolve()),
			"discovery_issuer_mismatch",
		);
		expect(error.retryAfter).toBe(1);
		expect(error.cause).toBeInstanceOf(FetchError);
		expect((error.cause as Error).message).toBe(
			`${server.origin}${OPENID}: the metadata names the issuer "https://evil.example", not the configured "${server.origin}": configure the exact iss of your tokens ("https://evil.example" if the issuer puts its own name in them)`,
		);
		expect((error.cause as FetchError).code).toBe("ISSUER_MISMATCH");
		expect(server.requests).toEqual([`GET ${OPENID}`]);
	});

	it("compares the issuer exactly: a trailing slash is another issuer", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		await refusal(new Discovery(`${issuer.issuer}/`, 2).resolve(), "discovery_issuer_mismatch");
	});

	it.each<[string, unknown]>([
		["an array", [1]],
		["a string", "metadata"],
		["null", null],
	])("counts a document that is %s as naming no issuer", async (_label, body) => {
		const server = await track(routedServer({ [OPENID]: { body } }));
		await refusal(new Discovery(server.origin, 2).resolve(), "discovery_issuer_mismatch");
	});

	it("fails with discovery_failed when neither document exists, keeping both causes", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"], discovery: "none" }));
		const error = expectRefusal<TemporarilyUnavailableError>(
			await rejectionOf(new Discovery(issuer.issuer, 2).resolve()),
			"discovery_failed",
		);
		// One FetchError that says it all, not an AggregateError: the first code and status lead.
		expect(error.cause).toBeInstanceOf(FetchError);
		const cause = error.cause as FetchError;
		expect(cause.message).toBe(
			`no metadata could be had for ${issuer.issuer}: GET ${issuer.issuer}${OPENID} answered 404; GET ${issuer.issuer}${OAUTH} answered 404`,
		);
		expect([cause.code, cause.status]).toEqual(["HTTP_STATUS", 404]);
		expect((cause.cause as Error).message).toBe(`GET ${issuer.issuer}${OPENID} answered 404`);
	});

	it.each<[string, unknown]>([
		["no jwks_uri", undefined],
		["a file: jwks_uri", "file:///etc/passwd"],
		["a relative jwks_uri", "/jwks.json"],
		["a numeric jwks_uri", 42],
	])("fails with discovery_failed for %s in both documents", async (_label, jwksUri) => {
		const server = await track(
			routedServer({
				[OPENID]: (origin) => ({ issuer: origin, jwks_uri: jwksUri }),
				[OAUTH]: (origin) => ({ issuer: origin, jwks_uri: jwksUri }),
			}),
		);
		const error = expectRefusal(
			await rejectionOf(new Discovery(server.origin, 2).resolve()),
			"discovery_failed",
		);
		expect((error.cause as FetchError).message).toBe(
			`no metadata could be had for ${server.origin}: ${server.origin}${OPENID} has no http(s) jwks_uri; ${server.origin}${OAUTH} has no http(s) jwks_uri`,
		);
		expect((error.cause as FetchError).code).toBe("NO_JWKS_URI");
	});

	it("takes the OAuth document's jwks_uri when the OpenID one has none", async () => {
		const server = await track(
			routedServer({
				[OPENID]: (origin) => ({ issuer: origin }),
				[OAUTH]: (origin) => ({ issuer: origin, jwks_uri: `${origin}/oauth-keys` }),
			}),
		);
		expect(await new Discovery(server.origin, 2).resolve()).toBe(`${server.origin}/oauth-keys`);
	});

	it("does not keep a failure: the next call asks again", async () => {
		let up = false;
		const server = await track(
			routedServer({
				[OPENID]: (origin) => (up ? { issuer: origin, jwks_uri: `${origin}/k` } : { issuer: origin }),
			}),
		);
		const discovery = new Discovery(server.origin, 2);
		await refusal(discovery.resolve(), "discovery_failed");
		up = true;
		expect(await discovery.resolve()).toBe(`${server.origin}/k`);
		expect(server.requests.filter((r) => r === `GET ${OPENID}`)).toHaveLength(2);
	});

	it("is bounded by the timeout when the issuer never answers", async () => {
		const server = await track(hangingServer());
		const started = performance.now();
		await refusal(new Discovery(server.origin, 0.3).resolve(), "discovery_failed");
		const elapsed = performance.now() - started;
		// Two documents, each bounded by the timeout.
		expect(elapsed).toBeLessThan(0.6 * 1000 + 1000);
		expect(server.requests).toEqual([`GET ${OPENID}`, `GET ${OAUTH}`]);
	});
});

describe("discovery through createVerifier", () => {
	let shared: TestIssuer;
	beforeAll(async () => {
		shared = await createTestIssuer({ algorithms: ["ES256"] });
	});
	afterAll(() => shared.close());

	it("discovers the keys from the OpenID document", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		expect((await verifier.verify(await issuer.sign())).issuer).toBe(issuer.issuer);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
		expect(verifier.keys.cacheOf(issuer.issuer)?.fetches).toBe(1);
	});

	it("falls back to the OAuth metadata (discovery: 'oauth')", async () => {
		const issuer = await track(
			createTestIssuer({ algorithms: ["ES256"], discovery: "oauth", issuerPath: "/tenant-b" }),
		);
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		expect((await verifier.verify(await issuer.sign())).issuer).toBe(issuer.issuer);
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
	});

	it("answers 503 discovery_issuer_mismatch when the document names another issuer, fetching no keys", async () => {
		freezeClock();
		const configured = `${shared.issuer}/`;
		const verifier = createVerifier({ issuer: configured, audience: shared.audience });
		const before = shared.requests;
		const error = await refusal<TemporarilyUnavailableError>(
			verifier.verify(await shared.sign({ iss: configured })),
			"discovery_issuer_mismatch",
		);
		expect(error.retryAfter).toBe(5);
		expect(toErrorResponse(error)).toEqual({
			status: 503,
			headers: { "content-type": "application/json", "cache-control": "no-store", "retry-after": "5" },
			body: '{"error":"temporarily_unavailable","message":"Signing keys are temporarily unavailable"}',
		});
		expect(shared.requests).toEqual({ discovery: before.discovery + 1, jwks: before.jwks, introspection: 0 });
		// Within the back-off, the next request is answered from the failure, with no new fetch.
		await refusal(verifier.verify(await shared.sign({ iss: configured })), "discovery_issuer_mismatch");
		expect(shared.requests).toEqual({ discovery: before.discovery + 1, jwks: before.jwks, introspection: 0 });
		expect(verifier.keys.cacheOf(configured)?.fetches).toBe(1);
	});

	it("answers 503 discovery_failed when the issuer has no metadata", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"], discovery: "none" }));
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		const error = await refusal(verifier.verify(await issuer.sign()), "discovery_failed");
		expect(error.headers["www-authenticate"]).toBeUndefined();
		expect(issuer.requests).toEqual({ discovery: 0, jwks: 0, introspection: 0 });
	});
});
