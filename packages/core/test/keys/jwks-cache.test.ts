import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { exportJWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
	createVerifier,
	TemporarilyUnavailableError,
	toErrorResponse,
	type VerifierOptions,
} from "../../src/index.js";
import { FetchError } from "../../src/keys/fetch-json.js";
import { JwksCache, type JwksCacheOptions } from "../../src/keys/jwks-cache.js";
import {
	closedPortUrl,
	garbageServer,
	hangingBodyServer,
	hangingServer,
	hugeBodyServer,
	jsonServer,
	redirectLoopServer,
	startServer,
} from "../support/faulty-servers.js";
import {
	advanceClock,
	expectRefusal,
	freezeClock,
	refusal,
	rejectionOf,
	unfreezeClock,
} from "../support/refusals.js";
import { forge } from "../support/tokens.js";

const cleanup: Array<{ close(): Promise<void> }> = [];
async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
	const started = await server;
	cleanup.push(started);
	return started;
}
afterEach(async () => {
	unfreezeClock();
	await Promise.all(cleanup.splice(0).map((server) => server.close()));
});

const SETTINGS: JwksCacheOptions = { cacheMaxAge: 60, cooldown: 10, timeout: 2, staleIfError: 120 };

/** A JWKS server whose answer can be changed, counting its requests. */
async function jwksServer(initial: unknown) {
	let body: unknown = initial;
	let status = 200;
	const server = await track(
		startServer((_req, res) => {
			res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
		}),
	);
	return {
		server,
		set(next: unknown, nextStatus = 200) {
			body = next;
			status = nextStatus;
		},
	};
}

describe("JwksCache (with its own clock)", () => {
	let jwk: Record<string, unknown>;
	beforeAll(async () => {
		jwk = { ...(await exportJWK(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey)), kid: "k1" };
	});

	it("fetches once when cold, then serves from memory while fresh", async () => {
		const { server } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		expect(cache.peek()).toBeUndefined();
		const keys = await cache.getKeys();
		expect(keys.map((key) => key.kid)).toEqual(["k1"]);
		now += 60;
		expect(await cache.getKeys()).toBe(keys);
		expect(cache.peek()).toBe(keys);
		expect(cache.fetches).toBe(1);
		expect(server.requests).toEqual(["GET /jwks.json"]);
	});

	it("shares one fetch between concurrent callers", async () => {
		const { server } = await jwksServer({ keys: [jwk] });
		const cache = new JwksCache(server.url, SETTINGS, () => 1000);
		const all = await Promise.all(Array.from({ length: 50 }, () => cache.getKeys()));
		expect(new Set(all).size).toBe(1);
		expect(cache.fetches).toBe(1);
		expect(server.requests).toHaveLength(1);
	});

	it("serves the old keys past cacheMaxAge while it refreshes in the background", async () => {
		const { server, set } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		const old = await cache.getKeys();
		set({ keys: [{ ...jwk, kid: "k2" }] });
		now += 61;
		expect(cache.peek()).toBeUndefined();
		expect(await cache.getKeys()).toBe(old);
		expect(cache.fetches).toBe(2);
		await cache.refresh();
		expect((await cache.getKeys()).map((key) => key.kid)).toEqual(["k2"]);
		expect(cache.fetches).toBe(2);
	});

	it("refetches for an unknown kid at most once per cooldown", async () => {
		const { server } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		await cache.getKeys();
		await Promise.all(Array.from({ length: 20 }, () => cache.getKeys(true)));
		expect(cache.fetches).toBe(1);
		now += 9.999;
		await cache.getKeys(true);
		expect(cache.fetches).toBe(1);
		now += 0.001;
		await Promise.all(Array.from({ length: 20 }, () => cache.getKeys(true)));
		expect(cache.fetches).toBe(2);
		expect(server.requests).toHaveLength(2);
	});

	it("makes callers that ask for a refetch while one is in flight wait for it", async () => {
		const { server, set } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		await cache.getKeys();
		set({ keys: [jwk, { ...jwk, kid: "k2" }] });
		now += 10;
		const answers = await Promise.all([cache.getKeys(true), cache.getKeys(true), cache.getKeys(true)]);
		expect(answers.map((keys) => keys.map((key) => key.kid))).toEqual([
			["k1", "k2"],
			["k1", "k2"],
			["k1", "k2"],
		]);
		expect(cache.fetches).toBe(2);
	});

	it("answers 503 when nothing is cached and the fetch fails, and backs off before the next try", async () => {
		const { server, set } = await jwksServer({ error: "down" });
		set({ error: "down" }, 500);
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		const error = expectRefusal<TemporarilyUnavailableError>(
			await rejectionOf(cache.getKeys()),
			"jwks_unavailable",
		);
		expect(error.retryAfter).toBe(5);
		expect(error.cause).toBeInstanceOf(FetchError);
		expect((error.cause as Error).message).toBe(`GET ${server.url} answered 500`);
		now += 3;
		const again = expectRefusal<TemporarilyUnavailableError>(
			await rejectionOf(cache.getKeys()),
			"jwks_unavailable",
		);
		expect(again.retryAfter).toBe(2);
		expect(again.cause).toBe(error.cause);
		expect(cache.fetches).toBe(1);
		set({ keys: [jwk] });
		now += 2;
		expect((await cache.getKeys()).map((key) => key.kid)).toEqual(["k1"]);
		expect(cache.fetches).toBe(2);
	});

	it("backs off for the cooldown when it is under 5 s", async () => {
		const url = await closedPortUrl();
		let now = 1000;
		const cache = new JwksCache(url, { ...SETTINGS, cooldown: 2 }, () => now);
		const error = expectRefusal<TemporarilyUnavailableError>(
			await rejectionOf(cache.getKeys()),
			"jwks_unavailable",
		);
		expect(error.retryAfter).toBe(2);
		now += 2;
		await rejectionOf(cache.getKeys());
		expect(cache.fetches).toBe(2);
	});

	it("keeps serving stale keys for staleIfError when refetches fail, then answers 503", async () => {
		const { server, set } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		const keys = await cache.getKeys();
		set({ error: "down" }, 503);
		now += 60 + 120;
		expect(await cache.getKeys()).toBe(keys);
		await rejectionOf(cache.refresh());
		expect(await cache.getKeys(true)).toBe(keys);
		now += 0.001;
		expectRefusal(await rejectionOf(cache.getKeys()), "jwks_unavailable");
	});

	it("keeps the keys it has when a refetch for an unknown kid fails", async () => {
		const { server, set } = await jwksServer({ keys: [jwk] });
		let now = 1000;
		const cache = new JwksCache(server.url, SETTINGS, () => now);
		const keys = await cache.getKeys();
		set("nope", 500);
		now += 10;
		expect(await cache.getKeys(true)).toBe(keys);
		expect(cache.fetches).toBe(2);
	});

	it.each<[string, unknown]>([
		["an object without keys", { foo: 1 }],
		["keys as an object", { keys: { k1: {} } }],
		["keys as a string", { keys: "k1" }],
		["an array", [{ kty: "EC" }]],
		["null", null],
		["a number", 7],
	])("refuses a body that is %s as not a JWKS", async (_label, body) => {
		const { server } = await jwksServer(body);
		const cache = new JwksCache(server.url, SETTINGS, () => 1000);
		const error = expectRefusal(await rejectionOf(cache.getKeys()), "jwks_unavailable");
		expect((error.cause as Error).message).toBe(`GET ${server.url} did not answer a JWKS ({"keys": [...]})`);
	});

	it("treats an empty key set as a valid JWKS that holds no key", async () => {
		const { server } = await jwksServer({ keys: [] });
		const cache = new JwksCache(server.url, SETTINGS, () => 1000);
		expect(await cache.getKeys()).toEqual([]);
	});

	it("takes its URI from a function (discovery) and passes its 503 reason on", async () => {
		const { server } = await jwksServer({ keys: [jwk] });
		const cache = new JwksCache(
			async () => server.url,
			SETTINGS,
			() => 1000,
		);
		expect((await cache.getKeys()).map((key) => key.kid)).toEqual(["k1"]);
		const failing = new JwksCache(
			async () => {
				throw new TemporarilyUnavailableError("discovery_failed", 0);
			},
			SETTINGS,
			() => 1000,
		);
		expectRefusal(await rejectionOf(failing.getKeys()), "discovery_failed");
	});
});

describe("JWKS faults from real failing servers, through createVerifier", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ algorithms: ["ES256"] });
	});
	afterAll(() => issuer.close());

	const verifierAt = (jwksUri: string, jwks: VerifierOptions["jwks"] = {}) =>
		createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri,
			jwks: { timeout: 1, cooldown: 1, ...jwks },
		});

	async function unavailable(jwksUri: string, jwks?: VerifierOptions["jwks"]) {
		const verifier = verifierAt(jwksUri, jwks);
		const started = performance.now();
		const error = await refusal<TemporarilyUnavailableError>(
			verifier.verify(await issuer.sign()),
			"jwks_unavailable",
		);
		const elapsed = performance.now() - started;
		expect(error.retryAfter).toBe(1);
		expect(toErrorResponse(error)).toEqual({
			status: 503,
			headers: { "content-type": "application/json", "cache-control": "no-store", "retry-after": "1" },
			body: '{"error":"temporarily_unavailable","message":"Signing keys are temporarily unavailable"}',
		});
		return { error, elapsed, verifier };
	}

	it("down (a closed port): 503, fast", async () => {
		const url = await closedPortUrl();
		const { error, elapsed } = await unavailable(url);
		expect((error.cause as Error).message).toBe(
			`GET ${url} failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${new URL(url).port})`,
		);
		expect((error.cause as FetchError).code).toBe("ECONNREFUSED");
		expect(elapsed).toBeLessThan(1000);
	});

	it("hanging (never answers): 503 bounded by jwks.timeout", async () => {
		const server = await track(hangingServer());
		const { error, elapsed } = await unavailable(server.url, { timeout: "500ms" });
		expect((error.cause as Error).message).toBe(
			`GET ${server.url} failed: TIMEOUT (The operation was aborted due to timeout)`,
		);
		expect(elapsed).toBeGreaterThanOrEqual(450);
		expect(elapsed).toBeLessThan(500 + 1000);
	});

	it("hanging mid-body: 503 bounded by jwks.timeout", async () => {
		const server = await track(hangingBodyServer());
		const { error, elapsed } = await unavailable(server.url, { timeout: 0.5 });
		expect((error.cause as Error).message).toBe(
			`GET ${server.url} failed while reading the body: TIMEOUT (The operation was aborted due to timeout)`,
		);
		expect(elapsed).toBeLessThan(500 + 1000);
	});

	it("garbage body: 503", async () => {
		const server = await track(garbageServer());
		const { error } = await unavailable(server.url);
		expect((error.cause as Error).message).toBe(`GET ${server.url} did not answer JSON`);
	});

	it.each<[string, unknown]>([
		["an object without keys", { jwks: [] }],
		["keys that is not a list", { keys: "none" }],
		["a list", []],
		["null", null],
	])("JSON that is not a JWKS (%s): 503", async (_label, body) => {
		const server = await track(jsonServer(body));
		const { error } = await unavailable(server.url);
		expect((error.cause as Error).message).toBe(`GET ${server.url} did not answer a JWKS ({"keys": [...]})`);
	});

	it.each([
		["declared", true],
		["chunked", false],
	])("a 5 MiB body (%s): refused, fast", async (_label, declared) => {
		const server = await track(hugeBodyServer(declared));
		const { error, elapsed } = await unavailable(server.url, { timeout: 5 });
		expect((error.cause as Error).message).toBe(
			`GET ${server.url} ${declared ? "declared" : "sent"} a body over 1048576 bytes`,
		);
		expect(elapsed).toBeLessThan(1000);
	});

	it("a 302 to itself: one request, 503", async () => {
		const server = await track(redirectLoopServer());
		const { error, elapsed } = await unavailable(server.url);
		expect((error.cause as Error).message).toBe(`GET ${server.url} answered 302`);
		expect(server.requests).toEqual(["GET /jwks.json"]);
		expect(elapsed).toBeLessThan(1000);
	});

	it("a 500: 503", async () => {
		const server = await track(jsonServer({ error: "boom" }, { status: 500 }));
		await unavailable(server.url);
	});

	it("keys with use 'enc' only: kid_unknown (a valid JWKS with no signing key)", async () => {
		const server = await track(jsonServer({ keys: issuer.jwks.keys.map((key) => ({ ...key, use: "enc" })) }));
		await refusal(verifierAt(server.url).verify(await issuer.sign()), "kid_unknown");
	});

	it("an empty key set: kid_unknown, not 503", async () => {
		const server = await track(jsonServer({ keys: [] }));
		await refusal(verifierAt(server.url).verify(await issuer.sign()), "kid_unknown");
	});

	it("an RSA key of 1024 bits: kid_unknown, even for a token it really signed", async () => {
		const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
		const jwk = { ...(await exportJWK(weak.publicKey)), kid: "weak", alg: "RS256", use: "sig" };
		const server = await track(jsonServer({ keys: [jwk] }));
		const now = Math.floor(Date.now() / 1000);
		const token = forge(
			{ alg: "RS256", kid: "weak" },
			{ iss: issuer.issuer, aud: issuer.audience, sub: "u", iat: now, exp: now + 60 },
			weak.privateKey,
		);
		await refusal(verifierAt(server.url).verify(token), "kid_unknown");
	});

	it("private key material in the JWKS is never used: kid_unknown", async () => {
		const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const jwk = { ...(await exportJWK(pair.privateKey)), kid: "leaked" };
		const server = await track(jsonServer({ keys: [jwk] }));
		const now = Math.floor(Date.now() / 1000);
		const token = forge(
			{ alg: "ES256", kid: "leaked" },
			{ iss: issuer.issuer, aud: issuer.audience, exp: now + 60 },
			pair.privateKey,
		);
		await refusal(verifierAt(server.url).verify(token), "kid_unknown");
	});
});

describe("stale keys when the issuer goes down", () => {
	it("serve within staleIfError after cacheMaxAge, then 503 once they are too old", async () => {
		freezeClock();
		const issuer = await createTestIssuer({ algorithms: ["ES256"] });
		const verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
			jwks: { cacheMaxAge: "10s", staleIfError: "1m", cooldown: 1, timeout: 1 },
			tokenCache: false,
		});
		const token = await issuer.sign({}, { expiresIn: "1h" });
		expect((await verifier.verify(token)).subject).toBe("user_123");
		const cache = verifier.keys.cacheOf(issuer.issuer);
		expect(cache?.fetches).toBe(1);
		await issuer.close();

		advanceClock(30);
		expect((await verifier.verify(token)).subject).toBe("user_123");
		expect(cache?.fetches).toBe(2);
		// The failed background refresh is not retried on every request.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect((await verifier.verify(token)).subject).toBe("user_123");
		expect(cache?.fetches).toBe(2);

		advanceClock(40);
		expect((await verifier.verify(token)).subject).toBe("user_123");
		advanceClock(1);
		const error = await refusal<TemporarilyUnavailableError>(verifier.verify(token), "jwks_unavailable");
		expect(error.retryAfter).toBe(1);
		expect(error.headers).toEqual({
			"content-type": "application/json",
			"cache-control": "no-store",
			"retry-after": "1",
		});
	});
});

describe("concurrency", () => {
	it("100 concurrent verifications on a cold cache make exactly one JWKS fetch", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
		});
		const tokens = await Promise.all(
			Array.from({ length: 100 }, (_, i) => issuer.sign({ sub: `user_${i}` })),
		);
		const results = await Promise.all(tokens.map((token) => verifier.verify(token)));
		expect(results.map((auth) => auth.subject)).toEqual(tokens.map((_, i) => `user_${i}`));
		expect(issuer.requests).toEqual({ discovery: 0, jwks: 1, introspection: 0 });
		expect(verifier.keys.cacheOf(issuer.issuer)?.fetches).toBe(1);
	});

	it("100 concurrent verifications with discovery make one metadata fetch and one JWKS fetch", async () => {
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		const token = await issuer.sign();
		const results = await Promise.all(Array.from({ length: 100 }, () => verifier.verify(token)));
		expect(new Set(results.map((auth) => auth.token))).toEqual(new Set([token]));
		expect(issuer.requests).toEqual({ discovery: 1, jwks: 1, introspection: 0 });
	});

	it("100 concurrent verifications against a down issuer make one fetch and all get the 503", async () => {
		const server = await track(startServer((_req, res) => setTimeout(() => res.destroy(), 100)));
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: server.url,
		});
		const token = await issuer.sign();
		const errors = await Promise.all(Array.from({ length: 100 }, () => rejectionOf(verifier.verify(token))));
		for (const error of errors) expectRefusal(error, "jwks_unavailable");
		expect(server.requests).toEqual(["GET /jwks.json"]);
	});

	it("500 tokens with unknown kids make at most one refetch per cooldown", async () => {
		freezeClock();
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
			jwks: { cooldown: "10s" },
		});
		await verifier.verify(await issuer.sign());
		expect(issuer.requests.jwks).toBe(1);
		const unknown = () =>
			Promise.all(Array.from({ length: 500 }, () => issuer.sign({}, { kid: randomUUID() }))).then((tokens) =>
				Promise.all(tokens.map((token) => rejectionOf(verifier.verify(token)))),
			);

		for (const error of await unknown()) expectRefusal(error, "kid_unknown");
		expect(issuer.requests.jwks).toBe(1);

		advanceClock(10);
		for (const error of await unknown()) expectRefusal(error, "kid_unknown");
		expect(issuer.requests.jwks).toBe(2);
		for (const error of await unknown()) expectRefusal(error, "kid_unknown");
		expect(issuer.requests.jwks).toBe(2);

		advanceClock(9);
		await unknown();
		expect(issuer.requests.jwks).toBe(2);
		advanceClock(1);
		await unknown();
		expect(issuer.requests.jwks).toBe(3);
		expect(verifier.keys.cacheOf(issuer.issuer)?.fetches).toBe(3);
	});

	it("a rotated key is picked up by one refetch once the cooldown allows it", async () => {
		freezeClock();
		const issuer = await track(createTestIssuer({ algorithms: ["ES256"] }));
		const verifier = createVerifier({
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
			jwks: { cooldown: 30 },
		});
		const before = await issuer.sign();
		await verifier.verify(before);
		await issuer.rotateKeys();
		const after = await issuer.sign({ jti: "after-rotation" });
		await refusal(verifier.verify(after), "kid_unknown");
		advanceClock(30);
		const results = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(after)));
		expect(results.every((auth) => auth.claims.jti === "after-rotation")).toBe(true);
		expect((await verifier.verify(before)).claims.jti).not.toBe("after-rotation");
		expect(issuer.requests.jwks).toBe(2);
	});
});
