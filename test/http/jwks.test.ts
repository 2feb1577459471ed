import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthOptions } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer, type Expected, invalidToken, ok } from "../support/answers.js";
import { ADAPTERS, startApp, startApps, type TestApp } from "../support/apps.js";
import { send } from "../support/http.js";

/**
 * Keys and key fetching, through every adapter: RSA keys with a modulus over 8192 bits or an exponent
 * that is not a small odd number are refused when the JWKS is read; issuers whose metadata name the
 * same `jwks_uri` share one key cache (one fetch at a time, one cooldown), counted at a real issuer;
 * every discovery and JWKS request goes through the configured `fetch`.
 */

const AUDIENCE = "https://api.example.test";
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small server on loopback: `routes` by path, JSON bodies; counts requests by path. */
async function serve(
	routes: (path: string) => unknown,
): Promise<{ origin: string; hits: Map<string, number>; close(): Promise<void> }> {
	const hits = new Map<string, number>();
	const server = http.createServer((req, res) => {
		const path = req.url ?? "/";
		hits.set(path, (hits.get(path) ?? 0) + 1);
		const body = routes(path);
		if (body === undefined) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		origin,
		hits,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

describe("RSA keys out of bounds are refused when the JWKS is read", () => {
	let keys: Awaited<ReturnType<typeof serve>>;
	let apps: TestApp[];
	const ISSUER = "https://rsa-bounds.example";
	const pairs = new Map<string, KeyObject>();

	/** A token signed RS256 by `key`, naming `kid`. */
	function token(kid: string, key: KeyObject): string {
		const now = Math.floor(Date.now() / 1000);
		const input = `${b64url({ alg: "RS256", kid })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: "user_123", iat: now, exp: now + 600 })}`;
		return `${input}.${sign("sha256", Buffer.from(input), key).toString("base64url")}`;
	}

	beforeAll(async () => {
		const normal = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const e3 = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 });
		const eMax = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 2 ** 32 - 1 });
		pairs.set("normal", normal.privateKey);
		pairs.set("e3", e3.privateKey);
		pairs.set("e-max", eMax.privateKey);
		const jwk = (key: KeyObject, kid: string) => ({
			...(key.export({ format: "jwk" }) as JWK),
			kid,
			use: "sig",
		});
		const base = jwk(normal.publicKey, "normal");
		// A 16,384-bit modulus (its top bit set) and exponents that are huge, even or 1: each refused on shape.
		const huge = randomBytes(2048);
		huge[0] = (huge[0] as number) | 0x80;
		const exponent = (hex: string) => Buffer.from(hex, "hex").toString("base64url");
		const document = {
			keys: [
				base,
				jwk(e3.publicKey, "e3"),
				jwk(eMax.publicKey, "e-max"),
				{ ...base, kid: "modulus-16384", n: huge.toString("base64url") },
				{ ...base, kid: "exponent-2^32+1", e: exponent("0100000001") },
				{ ...base, kid: "exponent-64-bit", e: exponent("ffffffffffffffff") },
				{ ...base, kid: "exponent-even", e: exponent("010000") },
				{ ...base, kid: "exponent-1", e: exponent("01") },
			],
		};
		keys = await serve((path) => (path === "/jwks" ? document : undefined));
		apps = await startApps({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${keys.origin}/jwks` }, [
			{ method: "GET", path: "/k" },
		]);
	});

	afterAll(async () => {
		await Promise.all(apps?.map((app) => app.close()) ?? []);
		await keys?.close();
	});

	const cases: readonly (readonly [string, string, Expected])[] = [
		["a 2048-bit key, exponent 65537", "normal", ok({ subject: "user_123" })],
		["exponent 3 (small and odd)", "e3", ok({ subject: "user_123" })],
		["exponent 2^32 - 1 (the largest odd one allowed)", "e-max", ok({ subject: "user_123" })],
		["a 16,384-bit modulus", "modulus-16384", invalidToken("Token signing key is unknown")],
		["exponent 2^32 + 1", "exponent-2^32+1", invalidToken("Token signing key is unknown")],
		["a 64-bit exponent", "exponent-64-bit", invalidToken("Token signing key is unknown")],
		["an even exponent", "exponent-even", invalidToken("Token signing key is unknown")],
		["exponent 1", "exponent-1", invalidToken("Token signing key is unknown")],
	];

	describe.each(cases)("%s", (_label, kid, expected) => {
		it.each(ADAPTERS)("%s", async (name) => {
			const target = apps.find((app) => app.name === name)!;
			const signer = pairs.get(kid) ?? (pairs.get("normal") as KeyObject);
			const headers = { authorization: `Bearer ${token(kid, signer)}` };
			checkAnswer(await send(target, { method: "GET", path: "/k", headers }), expected);
		});
	});
});

describe("issuers whose metadata name the same jwks_uri share one key cache", () => {
	let issuer: TestIssuer;
	let metadata: Awaited<ReturnType<typeof serve>>;
	const TENANTS = ["a", "b", "c"];
	const issuerOf = (tenant: string) => `${metadata.origin}/t/${tenant}`;

	beforeAll(async () => {
		issuer = await createTestIssuer({ audience: AUDIENCE, discovery: "none" });
		metadata = await serve((path) => {
			const match = /^\/t\/([a-z])\/\.well-known\/openid-configuration$/.exec(path);
			return match ? { issuer: issuerOf(match[1] as string), jwks_uri: issuer.jwksUri } : undefined;
		});
	});
	afterAll(async () => {
		await metadata?.close();
		await issuer?.close();
	});

	it.each(ADAPTERS)(
		"%s: 3 issuers cost 1 fetch, and a flood of unknown kids 1 refetch per cooldown",
		async (name) => {
			// A verifier of its own per adapter (its own cooldown), so each count starts from nothing.
			const options: AuthOptions = {
				issuer: TENANTS.map(issuerOf),
				audience: AUDIENCE,
				jwks: { cooldown: "1s", timeout: `${ADAPTERS.indexOf(name) + 2}s` },
			};
			const app = await startApp(name, options, [{ method: "GET", path: "/k" }]);
			try {
				const before = issuer.requests.jwks;
				const valid = await Promise.all(
					TENANTS.map(async (tenant) => {
						const headers = { authorization: `Bearer ${await issuer.sign({ iss: issuerOf(tenant) })}` };
						return send(app, { method: "GET", path: "/k", headers });
					}),
				);
				for (const answer of valid) checkAnswer(answer, ok({ subject: "user_123" }));
				expect(issuer.requests.jwks - before).toBe(1);

				await sleep(1100); // past the cooldown
				const flood = await Promise.all(
					Array.from({ length: 30 }, async (_, i) => {
						const iss = issuerOf(TENANTS[i % 3] as string);
						const headers = { authorization: `Bearer ${await issuer.sign({ iss }, { kid: randomUUID() })}` };
						return send(app, { method: "GET", path: "/k", headers });
					}),
				);
				for (const answer of flood) checkAnswer(answer, invalidToken("Token signing key is unknown"));
				expect(issuer.requests.jwks - before).toBe(2);
			} finally {
				await app.close();
			}
		},
	);
});

describe("every discovery and JWKS request goes through the configured fetch", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ audience: AUDIENCE });
	});
	afterAll(() => issuer?.close());

	it.each(ADAPTERS)(
		"%s: a recording fetch sees the metadata and JWKS URLs; a failing one is the 503",
		async (name) => {
			const seen: string[] = [];
			const recording: typeof fetch = (input, init) => {
				seen.push(String(input));
				return fetch(input, init);
			};
			const denied: typeof fetch = () => Promise.reject(new Error("egress denied"));
			const app = await startApp(name, { issuer: issuer.issuer, audience: AUDIENCE }, [
				{ method: "GET", path: "/through", auth: { fetch: recording } },
				{ method: "GET", path: "/denied", auth: { fetch: denied } },
			]);
			try {
				const headers = { authorization: `Bearer ${await issuer.sign()}` };
				checkAnswer(
					await send(app, { method: "GET", path: "/through", headers }),
					ok({ subject: "user_123" }),
				);
				expect(seen).toEqual([`${issuer.issuer}/.well-known/openid-configuration`, issuer.jwksUri]);

				const before = issuer.requests;
				const answer = await send(app, { method: "GET", path: "/denied", headers });
				expect(answer.status).toBe(503);
				expect(answer.body).toBe(
					'{"error":"temporarily_unavailable","message":"Signing keys are temporarily unavailable"}',
				);
				expect(issuer.requests).toEqual(before);
			} finally {
				await app.close();
			}
		},
	);
});
