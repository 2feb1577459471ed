import { generateKeyPairSync } from "node:crypto";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { exportJWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/config/options.js";
import { createVerifier } from "../../src/index.js";
import { KeySource } from "../../src/keys/key-source.js";
import { type FaultyServer, jsonServer, startServer } from "../support/faulty-servers.js";
import { expectRefusal, refusal, thrownBy } from "../support/refusals.js";
import { forge } from "../support/tokens.js";

describe("KeySource", () => {
	it("answers the shared secret at once, for any configured issuer", () => {
		const secret = new TextEncoder().encode("k".repeat(32));
		const source = new KeySource(resolveOptions({ issuer: "iss", audience: "aud", secret }));
		expect(source.keysFor("iss", "HS256", undefined)).toEqual([secret]);
		expect(source.cacheOf("iss")).toBeUndefined();
	});

	it("refuses an issuer it has no cache for, synchronously and without fetching", () => {
		const source = new KeySource(resolveOptions({ issuer: "https://a.example", audience: "aud" }));
		expectRefusal(
			thrownBy(() => source.keysFor("https://b.example", "RS256", "k")),
			"issuer_mismatch",
		);
		expect(source.cacheOf("https://a.example")?.fetches).toBe(0);
	});
});

describe("several issuers, each discovered on its own", () => {
	let a: TestIssuer;
	let b: TestIssuer;
	let c: TestIssuer;
	beforeAll(async () => {
		[a, b, c] = await Promise.all([
			createTestIssuer({ algorithms: ["ES256"], issuerPath: "/a" }),
			createTestIssuer({ algorithms: ["ES256"], issuerPath: "/b" }),
			createTestIssuer({ algorithms: ["ES256"], issuerPath: "/c" }),
		]);
	});
	afterAll(async () => {
		await Promise.all([a.close(), b.close(), c.close()]);
	});

	const counts = () => ({ a: a.requests, b: b.requests, c: c.requests });
	const verifier = () =>
		createVerifier({ issuer: [a.issuer, b.issuer], audience: a.audience, jwks: { cooldown: 60 } });

	it("checks a token from B with B's keys only", async () => {
		const v = verifier();
		const before = counts();
		expect((await v.verify(await b.sign())).issuer).toBe(b.issuer);
		expect(counts()).toEqual({
			a: before.a,
			b: { discovery: before.b.discovery + 1, jwks: before.b.jwks + 1, introspection: 0 },
			c: before.c,
		});
		expect(v.keys.cacheOf(a.issuer)?.fetches).toBe(0);
		expect(v.keys.cacheOf(b.issuer)?.fetches).toBe(1);
		expect((await v.verify(await a.sign())).issuer).toBe(a.issuer);
		expect(v.keys.cacheOf(a.issuer)?.fetches).toBe(1);
		expect(v.keys.cacheOf(a.issuer)).not.toBe(v.keys.cacheOf(b.issuer));
	});

	it("refuses a token naming an unconfigured issuer with issuer_mismatch and zero fetches", async () => {
		const v = verifier();
		const before = counts();
		await refusal(v.verify(await c.sign()), "issuer_mismatch");
		await refusal(v.verify(await a.sign({ iss: `${a.issuer}/` })), "issuer_mismatch");
		await refusal(v.verify(await a.sign({ iss: a.issuer.toUpperCase() })), "issuer_mismatch");
		await refusal(v.verify(await a.sign({ iss: undefined })), "issuer_mismatch");
		await refusal(v.verify(await a.sign({ iss: [a.issuer] })), "issuer_mismatch");
		expect(counts()).toEqual(before);
		expect(v.keys.cacheOf(a.issuer)?.fetches).toBe(0);
		expect(v.keys.cacheOf(b.issuer)?.fetches).toBe(0);
		expect(v.keys.cacheOf(c.issuer)).toBeUndefined();
	});

	it("refuses A's token that claims to be B's: only B's keys are consulted", async () => {
		const v = verifier();
		const before = counts();
		await refusal(v.verify(await a.sign({ iss: b.issuer })), "kid_unknown");
		await refusal(
			v.verify(await a.sign({ iss: b.issuer }, { header: { kid: undefined } })),
			"signature_invalid",
		);
		const after = counts();
		expect(after.a).toEqual(before.a);
		expect(after.b.jwks).toBe(before.b.jwks + 1);
		expect(v.keys.cacheOf(a.issuer)?.fetches).toBe(0);
	});

	it("shares one cache and one fetch between issuers with a jwksUri", async () => {
		const v = createVerifier({ issuer: [a.issuer, b.issuer], audience: a.audience, jwksUri: a.jwksUri });
		const before = counts();
		expect((await v.verify(await a.sign())).issuer).toBe(a.issuer);
		// B's token is checked against the configured JWKS (A's): B's own key is not in it.
		await refusal(v.verify(await b.sign()), "kid_unknown");
		expect(counts()).toEqual({
			a: { discovery: before.a.discovery, jwks: before.a.jwks + 1, introspection: 0 },
			b: before.b,
			c: before.c,
		});
	});
});

describe("which keys a token is checked with", () => {
	const servers: FaultyServer[] = [];
	afterEach(async () => {
		await Promise.all(servers.splice(0).map((server) => server.close()));
	});

	it("tries at most three keys for a token that names no kid", async () => {
		const pairs = Array.from({ length: 4 }, () => generateKeyPairSync("ec", { namedCurve: "P-256" }));
		const keys = await Promise.all(pairs.map((pair) => exportJWK(pair.publicKey)));
		const server = await jsonServer({ keys });
		servers.push(server);
		const v = createVerifier({ issuer: "https://i.example", audience: "aud", jwksUri: server.url });
		const claims = { iss: "https://i.example", aud: "aud", exp: Math.floor(Date.now() / 1000) + 60 };
		expect((await v.verify(forge({ alg: "ES256" }, claims, pairs[2]!.privateKey))).issuer).toBe(
			"https://i.example",
		);
		await refusal(v.verify(forge({ alg: "ES256" }, claims, pairs[3]!.privateKey)), "signature_invalid");
	});

	it("tries every key sharing a kid, up to three", async () => {
		const pairs = Array.from({ length: 2 }, () => generateKeyPairSync("ec", { namedCurve: "P-256" }));
		const keys = await Promise.all(
			pairs.map(async (pair) => ({ ...(await exportJWK(pair.publicKey)), kid: "same" })),
		);
		const server = await jsonServer({ keys });
		servers.push(server);
		const v = createVerifier({ issuer: "https://i.example", audience: "aud", jwksUri: server.url });
		const claims = { iss: "https://i.example", aud: "aud", exp: Math.floor(Date.now() / 1000) + 60 };
		expect((await v.verify(forge({ alg: "ES256", kid: "same" }, claims, pairs[1]!.privateKey))).issuer).toBe(
			"https://i.example",
		);
	});

	it("does not confuse a kid named 'undefined' with no kid", async () => {
		const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const server = await jsonServer({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "real" }] });
		servers.push(server);
		const claims = { iss: "https://i.example", aud: "aud", exp: Math.floor(Date.now() / 1000) + 60 };
		const named = forge({ alg: "ES256", kid: "undefined" }, claims, pair.privateKey);
		const cold = createVerifier({ issuer: "https://i.example", audience: "aud", jwksUri: server.url });
		await refusal(cold.verify(named), "kid_unknown");
		const warm = createVerifier({ issuer: "https://i.example", audience: "aud", jwksUri: server.url });
		const unnamed = await warm.verify(forge({ alg: "ES256" }, claims, pair.privateKey));
		expect(unnamed.source).toBe("jwt");
		expect(unnamed.header?.kid).toBeUndefined();
		await refusal(warm.verify(named), "kid_unknown");
	});
});

describe("issuers whose metadata name the same jwks_uri", () => {
	const servers: FaultyServer[] = [];
	afterEach(async () => {
		await Promise.all(servers.splice(0).map((server) => server.close()));
	});

	/** Three tenants on one metadata server, every one naming `jwksUri`. */
	async function tenants(jwksUri: string): Promise<{ metadata: FaultyServer; issuers: string[] }> {
		let origin = "";
		const metadata = await startServer((req, res) => {
			const match = /^\/t\/([a-z])\/\.well-known\/openid-configuration$/.exec(req.url ?? "");
			if (match === null) {
				res.writeHead(404).end();
				return;
			}
			res.writeHead(200, { "content-type": "application/json" });
			res.end(JSON.stringify({ issuer: `${origin}/t/${match[1]}`, jwks_uri: jwksUri }));
		});
		origin = metadata.origin;
		servers.push(metadata);
		return { metadata, issuers: ["a", "b", "c"].map((t) => `${origin}/t/${t}`) };
	}

	it("share one cache: one fetch for all, and one refetch per cooldown for unknown kids", async () => {
		const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const keys = await startServer((_req, res) => {
			void exportJWK(pair.publicKey).then((jwk) => {
				res.writeHead(200, { "content-type": "application/json" });
				res.end(JSON.stringify({ keys: [{ ...jwk, kid: "k1" }] }));
			});
		});
		servers.push(keys);
		const { metadata, issuers } = await tenants(keys.url);
		const v = createVerifier({ issuer: issuers, audience: "aud", jwks: { cooldown: 30 } });
		const token = (iss: string, kid: string) =>
			forge({ alg: "ES256", kid }, { iss, aud: "aud", exp: 4e9 }, pair.privateKey);

		// All three at once: one fetch between them (single flight across issuers).
		const results = await Promise.all(issuers.map((iss) => v.verify(token(iss, "k1"))));
		expect(results.map((auth) => auth.issuer)).toEqual(issuers);
		expect(keys.requests).toEqual(["GET /jwks.json"]);
		expect(metadata.requests).toHaveLength(3);
		// Every issuer's cache now hands on to the one that holds the URI.
		const holder = v.keys.cacheOf(issuers[0]!);
		expect(v.keys.cacheOf(issuers[1]!)?.peek()).toBe(holder?.peek());
		expect(v.keys.cacheOf(issuers[2]!)?.peek()).toBe(holder?.peek());

		// Unknown kids from every issuer within the cooldown: no refetch at all.
		for (const iss of issuers) await refusal(v.verify(token(iss, `unknown-${iss}`)), "kid_unknown");
		expect(keys.requests).toHaveLength(1);
	});

	it("share the cooldown: past it, unknown kids from three issuers cost one refetch, not three", async () => {
		const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1" };
		const keys = await jsonServer({ keys: [jwk] });
		servers.push(keys);
		const { issuers } = await tenants(keys.url);
		const v = createVerifier({ issuer: issuers, audience: "aud", jwks: { cooldown: "300ms" } });
		const token = (iss: string, kid: string) =>
			forge({ alg: "ES256", kid }, { iss, aud: "aud", exp: 4e9 }, pair.privateKey);
		for (const iss of issuers) expect((await v.verify(token(iss, "k1"))).issuer).toBe(iss);
		expect(keys.requests).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 350));
		await Promise.all(issuers.map((iss) => refusal(v.verify(token(iss, `x-${iss}`)), "kid_unknown")));
		expect(keys.requests).toHaveLength(2);
	});

	it("issuers with different jwks_uris keep caches of their own", async () => {
		const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
		const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1" };
		const [one, two] = await Promise.all([jsonServer({ keys: [jwk] }), jsonServer({ keys: [jwk] })]);
		servers.push(one!, two!);
		const first = await tenants(one!.url);
		const second = await tenants(two!.url);
		const issuers = [first.issuers[0]!, second.issuers[0]!];
		const v = createVerifier({ issuer: issuers, audience: "aud" });
		for (const iss of issuers) {
			expect(
				(await v.verify(forge({ alg: "ES256", kid: "k1" }, { iss, aud: "aud", exp: 4e9 }, pair.privateKey)))
					.issuer,
			).toBe(iss);
		}
		expect([one!.requests.length, two!.requests.length]).toEqual([1, 1]);
	});
});

describe("the fetch option", () => {
	it("carries every discovery and JWKS request, and nothing goes around it", async () => {
		const issuer = await createTestIssuer();
		try {
			const seen: string[] = [];
			const v = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				fetch: (input, init) => {
					seen.push(`${init?.redirect} ${String(input)}`);
					return fetch(input, init);
				},
			});
			expect((await v.verify(await issuer.sign())).issuer).toBe(issuer.issuer);
			expect(seen).toEqual([
				`manual ${issuer.issuer}/.well-known/openid-configuration`,
				`manual ${issuer.jwksUri}`,
			]);

			const before = issuer.requests;
			const denied = createVerifier({
				issuer: issuer.issuer,
				audience: issuer.audience,
				jwksUri: issuer.jwksUri,
				fetch: () => Promise.reject(new Error("egress denied")),
			});
			const error = await refusal(denied.verify(await issuer.sign()), "jwks_unavailable");
			expect(String((error.cause as Error).cause)).toBe("Error: egress denied");
			expect(issuer.requests).toEqual(before);
		} finally {
			await issuer.close();
		}
	});
});
