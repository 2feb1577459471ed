import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AuthResult, createVerifier, type VerifierOptions } from "../../src/index.js";
import { TokenCache, type VerifiedToken } from "../../src/token/token-cache.js";
import {
	advanceClock,
	expectRefusal,
	freezeClock,
	refusal,
	rejectionOf,
	unfreezeClock,
} from "../support/refusals.js";
import { withSignature } from "../support/tokens.js";

const entry = (token: string): VerifiedToken => ({
	auth: { token } as unknown as AuthResult,
	organizationValid: true,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Offers a token twice, as two verifications would: the second offer stores it. */
function store(cache: TokenCache, token: string, value: VerifiedToken, exp: number | undefined, now: number) {
	expect(cache.offer(token, value, exp, now)).toBe(false);
	return cache.offer(token, value, exp, now);
}

describe("TokenCache", () => {
	it("stores a token from its second offer and returns it for the exact token only", () => {
		const cache = new TokenCache(10, 600);
		const value = entry("a.b.c");
		expect(cache.offer("a.b.c", value, undefined, 1000)).toBe(false);
		expect(cache.get("a.b.c", 1000)).toBeUndefined();
		expect(cache.size).toBe(0);
		expect(cache.offer("a.b.c", value, undefined, 1000)).toBe(true);
		expect(cache.get("a.b.c", 1000)).toBe(value);
		expect(cache.get("a.b.C", 1000)).toBeUndefined();
		expect(cache.get("a.b.c ", 1000)).toBeUndefined();
		expect(cache.size).toBe(1);
	});

	it("answers only for the whole token, even when two tokens end alike (no shared results)", () => {
		const cache = new TokenCache(10, 600);
		const signature = "S".repeat(342);
		const mine = `header.mine.${signature}`;
		const forged = `header.admin.${signature}`;
		const value = entry(mine);
		expect(store(cache, mine, value, undefined, 0)).toBe(true);
		expect(cache.get(forged, 0)).toBeUndefined();
		expect(cache.get(mine, 0)).toBe(value);
		// Their ends share a fingerprint, so the other token is let in at its first offer, once verified;
		// it takes the index over, and the first is simply verified again.
		expect(cache.offer(forged, entry(forged), undefined, 0)).toBe(true);
		expect(cache.get(mine, 0)).toBeUndefined();
		expect(cache.get(forged, 0)?.auth.token).toBe(forged);
	});

	it("keeps at most max entries, dropping the least recently used", () => {
		const cache = new TokenCache(3, 600);
		for (const token of ["t1", "t2", "t3"]) store(cache, token, entry(token), undefined, 0);
		cache.get("t1", 0);
		store(cache, "t4", entry("t4"), undefined, 0);
		expect(cache.size).toBe(3);
		expect(cache.get("t2", 0)).toBeUndefined();
		expect(cache.get("t1", 0)?.auth.token).toBe("t1");
	});

	it("remembers a token offered once for max / 2 other first offers, and never for max or more", () => {
		const cache = new TokenCache(100, 600);
		const others = (from: number, count: number) => {
			for (let i = from; i < from + count; i++) {
				expect(cache.offer(`other-${i}`, entry(`other-${i}`), undefined, 0)).toBe(false);
			}
		};
		cache.offer("early", entry("early"), undefined, 0);
		others(0, 50);
		expect(cache.offer("early", entry("early"), undefined, 0)).toBe(true);
		cache.offer("late", entry("late"), undefined, 0);
		others(1000, 100);
		expect(cache.offer("late", entry("late"), undefined, 0)).toBe(false);
		// A pool of more than max distinct tokens sent in turn, as a flood or a benchmark sends them: each
		// comes back after max others or more, and none is stored.
		for (let round = 0; round < 3; round++) {
			for (let i = 0; i < 101; i++) {
				expect(cache.offer(`pool-${i}`, entry(`pool-${i}`), undefined, 0)).toBe(false);
			}
		}
		expect(cache.size).toBe(1);
	});

	it("bounds the total weight (32 MiB of tokens plus 1 KiB per entry)", () => {
		const cache = new TokenCache(100_000, 600);
		const filler = "x".repeat(8000);
		for (let i = 0; i < 4000; i++) {
			const token = `${filler}.${String(i).padStart(4, "0")}`;
			store(cache, token, entry(token), undefined, 0);
		}
		// Each entry weighs its 8005 characters plus 1024: 3716 of them fit in 32 MiB.
		expect(cache.size).toBe(3716);
	});

	it("does not store an entry with under a millisecond left", () => {
		const cache = new TokenCache(10, 600);
		for (const token of ["expiring", "expired", "ok"]) cache.offer(token, entry(token), 1e10, 1000);
		expect(cache.offer("expiring", entry("expiring"), 1000.0009, 1000)).toBe(false);
		expect(cache.offer("expired", entry("expired"), 999, 1000)).toBe(false);
		expect(cache.size).toBe(0);
		expect(cache.offer("ok", entry("ok"), 1000.002, 1000)).toBe(true);
		expect(cache.size).toBe(1);
	});

	it("drops an entry at its token's exp", () => {
		const cache = new TokenCache(10, 600);
		store(cache, "short", entry("short"), 1000.05, 1000);
		expect(cache.get("short", 1000.049)).toBeDefined();
		expect(cache.get("short", 1000.05)).toBeUndefined();
		expect(cache.size).toBe(0);
	});

	it("drops an entry after maxAge, whatever its exp", () => {
		const cache = new TokenCache(10, 0.05);
		store(cache, "long", entry("long"), 1e10, 1000);
		store(cache, "forever", entry("forever"), undefined, 1000);
		expect(cache.get("long", 1000.049)).toBeDefined();
		expect(cache.get("long", 1000.05)).toBeUndefined();
		expect(cache.get("forever", 1000.06)).toBeUndefined();
		expect(cache.size).toBe(0);
	});
});

describe("the token cache in createVerifier", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer({ algorithms: ["ES256"] });
	});
	afterAll(() => issuer.close());
	afterEach(() => unfreezeClock());

	const verifier = (extra: VerifierOptions = {}) =>
		createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri, ...extra });

	it("caches a token at its second verification and answers the third from the cache", async () => {
		const v = verifier();
		const token = await issuer.sign();
		const first = await v.verify(token);
		expect(v.tokenCache?.size).toBe(0);
		const second = await v.verify(token);
		expect(second).not.toBe(first);
		expect(second).toEqual(first);
		expect(v.tokenCache?.size).toBe(1);
		expect(await v.verify(token)).toBe(second);
		expect(v.tokenCache?.size).toBe(1);
	});

	it("keeps a token until its exp, then verifies it afresh within the clock tolerance, then refuses it", async () => {
		freezeClock();
		const v = verifier();
		const token = await issuer.sign({}, { expiresIn: 60 });
		await v.verify(token);
		const first = await v.verify(token);
		advanceClock(59.9);
		expect(await v.verify(token)).toBe(first);
		advanceClock(0.1);
		// At exp the entry is dropped; the 5 s of clock tolerance still accept the token, verified again.
		const again = await v.verify(token);
		expect(again).not.toBe(first);
		expect(again).toEqual(first);
		expect(v.tokenCache?.size).toBe(0);
		advanceClock(5);
		await refusal(v.verify(token), "token_expired");
		expect(v.tokenCache?.size).toBe(0);
	});

	it("refuses an expired token without iat from the cache (the fast-jwt cache trap)", async () => {
		freezeClock();
		const v = verifier();
		const token = await issuer.sign({ iat: undefined }, { expiresIn: 30 });
		expect(JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString())).not.toHaveProperty(
			"iat",
		);
		await v.verify(token);
		await v.verify(token);
		expect(v.tokenCache?.size).toBe(1);
		advanceClock(36);
		await refusal(v.verify(token), "token_expired");
	});

	it("re-checks maxTokenAge on a cache hit", async () => {
		freezeClock();
		const v = verifier({ maxTokenAge: 30 });
		const token = await issuer.sign({}, { expiresIn: 3600 });
		await v.verify(token);
		const first = await v.verify(token);
		advanceClock(30);
		expect(await v.verify(token)).toBe(first);
		advanceClock(10);
		await refusal(v.verify(token), "token_too_old");
	});

	it("runs isRevoked and validate on every call, hit or miss", async () => {
		const revoked = new Set<string>();
		const calls = { isRevoked: 0, validate: 0 };
		const v = verifier({
			isRevoked: (auth) => {
				calls.isRevoked++;
				return revoked.has(auth.claims.jti as string);
			},
			validate: () => {
				calls.validate++;
				return true;
			},
		});
		const token = await issuer.sign({ jti: "jti-1" });
		await v.verify(token);
		await v.verify(token);
		await v.verify(token);
		expect(calls).toEqual({ isRevoked: 3, validate: 3 });
		revoked.add("jti-1");
		await refusal(v.verify(token), "revoked");
		expect(calls).toEqual({ isRevoked: 4, validate: 4 });
	});

	it("does not grow with a flood of unknown, forged, expired or garbage tokens", async () => {
		const v = verifier();
		const kept = await issuer.sign();
		await v.verify(kept);
		await v.verify(kept);
		const genuine = await issuer.sign();
		const floods = [
			...Array.from({ length: 300 }, (_, i) => `garbage.${i}.token`),
			...Array.from({ length: 100 }, (_, i) => withSignature(genuine, Buffer.alloc(64, i))),
			...(await Promise.all(Array.from({ length: 50 }, () => issuer.sign({}, { expiresIn: -60 })))),
			...(await Promise.all(Array.from({ length: 50 }, () => issuer.sign({ aud: "https://other.example" })))),
		];
		const errors = await Promise.all(floods.map((token) => rejectionOf(v.verify(token))));
		expect(errors).toHaveLength(500);
		expect(v.tokenCache?.size).toBe(1);
	});

	it("keeps at most tokenCache.max entries", async () => {
		const v = verifier({ tokenCache: { max: 3 } });
		const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.sign()));
		for (const token of tokens) {
			await v.verify(token);
			await v.verify(token);
		}
		expect(v.tokenCache?.size).toBe(3);
	});

	it("keeps a reused token's entry through a flood of distinct valid tokens, each seen once", async () => {
		const v = verifier({ tokenCache: { max: 3 } });
		const reused = await issuer.sign();
		await v.verify(reused);
		const cached = await v.verify(reused);
		const flood = await Promise.all(Array.from({ length: 20 }, () => issuer.sign()));
		for (const token of flood) await v.verify(token);
		expect(v.tokenCache?.size).toBe(1);
		expect(await v.verify(reused)).toBe(cached);
	});

	it("verifies afresh after tokenCache.maxAge", async () => {
		const v = verifier({ tokenCache: { maxAge: "100ms" } });
		const token = await issuer.sign();
		await v.verify(token);
		const first = await v.verify(token);
		expect(await v.verify(token)).toBe(first);
		await sleep(150);
		const second = await v.verify(token);
		expect(second).not.toBe(first);
		expect(second).toEqual(first);
	});

	it("works with tokenCache: false (every call verifies)", async () => {
		const v = verifier({ tokenCache: false });
		expect(v.tokenCache).toBeUndefined();
		const token = await issuer.sign();
		const first = await v.verify(token);
		const second = await v.verify(token);
		expect(second).not.toBe(first);
		expect(second).toEqual(first);
		await refusal(v.verify(withSignature(token, Buffer.alloc(64))), "signature_invalid");
	});

	it("caches a token of another organization, and refuses it on every call", async () => {
		const v = verifier({ organization: true });
		const token = await issuer.sign({ org_id: "not an org" });
		expectRefusal(await rejectionOf(v.verify(token)), "organization_invalid");
		expectRefusal(await rejectionOf(v.verify(token)), "organization_invalid");
		expect(v.tokenCache?.size).toBe(1);
	});
});
