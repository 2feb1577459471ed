import { afterEach, describe, expect, it } from "vitest";
import {
	type ApiKeyRecord,
	type ApiKeysOptions,
	type AuthResult,
	type BearerError,
	createVerifier,
	generateApiKey,
	hashApiKey,
	type InsufficientScopeError,
	type RequestLike,
	TemporarilyUnavailableError,
	toErrorResponse,
	type VerifierOptions,
} from "../../src/index.js";
import { isIssued } from "../../src/token/issued.js";
import {
	advanceClock,
	expectRefusal,
	freezeClock,
	NOW,
	refusal,
	rejectionOf,
	thrownBy,
	unfreezeClock,
} from "../support/refusals.js";

afterEach(unfreezeClock);

const BASE = { issuer: "https://issuer.example/", audience: "https://api.example", secret: "s".repeat(32) };
const DEPRECATION = {
	since: "2026-01-01T00:00:00Z",
	sunset: "2027-01-01T00:00:00Z",
	link: "https://docs.example/oauth",
};
const DEPRECATION_HEADERS = {
	deprecation: "@1767225600",
	sunset: "Fri, 01 Jan 2027 00:00:00 GMT",
	link: '<https://docs.example/oauth>; rel="deprecation"; type="text/html"',
};

function keyed(record: Omit<ApiKeyRecord, "hash"> = { subject: "svc_reports", permissions: ["read"] }) {
	const { key, hash } = generateApiKey();
	return { key, record: { hash, ...record } };
}

function verifierWith(apiKeys: ApiKeysOptions, extra: VerifierOptions = {}) {
	return createVerifier({ ...BASE, apiKeys, ...extra });
}

const withKey = (key: string, headers: Record<string, string> = {}): RequestLike => ({
	headers: { "x-api-key": key, ...headers },
});

/** A lookup over records, counting its calls; `delay` ms makes it asynchronous. */
function store(records: readonly ApiKeyRecord[], delay?: number) {
	const byHash = new Map(records.map((record) => [record.hash, record]));
	const calls: string[] = [];
	const lookup = (hash: string) => {
		calls.push(hash);
		if (delay === undefined) return byHash.get(hash);
		return new Promise<ApiKeyRecord | undefined>((resolve) =>
			setTimeout(() => resolve(byHash.get(hash)), delay),
		);
	};
	return { lookup, calls };
}

describe("a listed key", () => {
	it("authenticates as its record: token is the hash, no header, no issuer, scheme ApiKey, source api-key", () => {
		freezeClock();
		const { key, record } = keyed({
			subject: "svc_reports",
			permissions: ["read", "write"],
			organization: "org_acme",
			expiresAt: new Date((NOW + 3600) * 1000),
			name: "nightly export",
		});
		const guard = verifierWith({ keys: [record] }).compileGuard();
		const auth = guard(withKey(key)) as AuthResult;
		expect({ ...auth, permissions: [...auth.permissions] }).toEqual({
			token: record.hash,
			header: undefined,
			claims: { sub: "svc_reports", name: "nightly export", exp: NOW + 3600 },
			subject: "svc_reports",
			issuer: undefined,
			organization: "org_acme",
			permissions: ["read", "write"],
			expiresAt: NOW + 3600,
			scheme: "ApiKey",
			source: "api-key",
			confirmation: undefined,
		});
		expect(JSON.stringify(auth)).not.toContain(key.slice(4, 30));
		expect(Object.isFrozen(auth)).toBe(true);
		expect(Object.isFrozen(auth.claims)).toBe(true);
		expect(() => (auth.permissions as Set<string>).add("admin")).toThrow(TypeError);
		expect(isIssued(auth)).toBe(true);
		// Listed keys with synchronous checks answer synchronously, the same auth every time.
		expect(guard(withKey(key))).toBe(auth);
	});

	it("refuses an unknown key of the right format: 401 api_key_unknown, Invalid API key", () => {
		const { record } = keyed();
		const guard = verifierWith({ keys: [record] }).compileGuard();
		const error = expectRefusal<BearerError>(
			thrownBy(() => guard(withKey(generateApiKey().key))),
			"api_key_unknown",
		);
		expect(error.scheme).toBe("ApiKey");
		expect(toErrorResponse(error)).toEqual({
			status: 401,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate": 'Bearer realm="api", error="invalid_token", error_description="Invalid API key"',
			},
			body: '{"error":"invalid_token","message":"Invalid API key"}',
		});
	});

	it("refuses an expired key (api_key_expired), from the second of its expiry on", () => {
		freezeClock();
		const { key, record } = keyed({
			subject: "svc",
			permissions: [],
			expiresAt: new Date((NOW + 10) * 1000),
		});
		const guard = verifierWith({ keys: [record] }).compileGuard();
		expect((guard(withKey(key)) as AuthResult).subject).toBe("svc");
		advanceClock(10);
		expectRefusal(
			thrownBy(() => guard(withKey(key))),
			"api_key_expired",
		);
	});
});

describe("a malformed key", () => {
	it.each([
		["a typo", (key: string) => `${key.slice(0, 10)}${key[10] === "a" ? "b" : "a"}${key.slice(11)}`],
		["cut short", (key: string) => key.slice(0, -1)],
		["another prefix", (key: string) => `sk_${key.slice(4)}`],
		["a JWT", () => "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"],
		["8 KiB", () => "k".repeat(8192)],
	])("is refused without a lookup: %s", async (_name, change) => {
		const { key, record } = keyed();
		const { lookup, calls } = store([record]);
		const guard = verifierWith({ lookup }).compileGuard();
		expectRefusal(
			thrownBy(() => guard(withKey(change(key)))),
			"api_key_malformed",
		);
		expect(calls).toEqual([]);
		expect(await guard(withKey(key))).toMatchObject({ subject: "svc_reports" });
		expect(calls).toEqual([record.hash]);
	});

	it("of a legacy format is looked up when the format names it, and only then", async () => {
		const legacy = "sk_live_0123456789abcdef";
		const legacyRecord = { hash: hashApiKey(legacy), subject: "old", permissions: [] };
		const { lookup, calls } = store([legacyRecord]);
		const strict = verifierWith({ lookup }).compileGuard();
		expectRefusal(
			thrownBy(() => strict(withKey(legacy))),
			"api_key_malformed",
		);
		expect(calls).toEqual([]);
		const lenient = verifierWith({ lookup, format: ["bearerguard", /^sk_live_[0-9a-f]{16}$/] });
		expect((lenient.compileGuard()(withKey(legacy)) as AuthResult).subject).toBe("old");
		expectRefusal(
			thrownBy(() => lenient.compileGuard()(withKey("sk_live_unknown"))),
			"api_key_malformed",
		);
		const any = verifierWith({ lookup, format: "any" });
		expect((any.compileGuard()(withKey(legacy)) as AuthResult).subject).toBe("old");
		expectRefusal(
			thrownBy(() => any.compileGuard()(withKey("sk_live_unknown"))),
			"api_key_unknown",
		);
		expect(calls).toEqual([legacyRecord.hash, legacyRecord.hash, hashApiKey("sk_live_unknown")]);
	});

	it("listed in keys is accepted whatever its format (its hash was stored on purpose)", () => {
		const legacy = "sk_live_0123456789abcdef";
		const guard = verifierWith({
			keys: [{ hash: hashApiKey(legacy), subject: "old", permissions: [] }],
		}).compileGuard();
		expect((guard(withKey(legacy)) as AuthResult).subject).toBe("old");
		expectRefusal(
			thrownBy(() => guard(withKey("sk_live_0123456789abcdeX"))),
			"api_key_malformed",
		);
	});
});

describe("lookup", () => {
	it("is called once per key while its answer is cached (maxAge), then again", async () => {
		freezeClock();
		const { key, record } = keyed();
		const { lookup, calls } = store([record], 1);
		const verifier = verifierWith({ lookup, cache: { maxAge: 60 } });
		const guard = verifier.compileGuard();
		expect(await guard(withKey(key))).toMatchObject({ subject: "svc_reports", token: record.hash });
		// Cached: synchronous, no call.
		expect((guard(withKey(key)) as AuthResult).subject).toBe("svc_reports");
		expect(calls).toHaveLength(1);
		advanceClock(59);
		guard(withKey(key));
		expect(calls).toHaveLength(1);
		advanceClock(1);
		expect(await guard(withKey(key))).toMatchObject({ subject: "svc_reports" });
		expect(calls).toHaveLength(2);
		expect(verifier.traceContext.cache?.hits).toBe(2);
	});

	it("remembers an unknown key for 5 s, not longer", async () => {
		freezeClock();
		const { lookup, calls } = store([], 1);
		const guard = verifierWith({ lookup }).compileGuard();
		const { key } = generateApiKey();
		await refusal(
			Promise.resolve().then(() => guard(withKey(key))),
			"api_key_unknown",
		);
		expectRefusal(
			thrownBy(() => guard(withKey(key))),
			"api_key_unknown",
		);
		expect(calls).toHaveLength(1);
		advanceClock(5);
		await refusal(
			Promise.resolve().then(() => guard(withKey(key))),
			"api_key_unknown",
		);
		expect(calls).toHaveLength(2);
	});

	it("makes one call for 100 concurrent requests with one new key", async () => {
		const { key, record } = keyed();
		const { lookup, calls } = store([record], 20);
		const guard = verifierWith({ lookup }).compileGuard();
		const results = await Promise.all(Array.from({ length: 100 }, () => guard(withKey(key))));
		expect(calls).toEqual([record.hash]);
		expect(new Set(results).size).toBe(1);
		expect(results[0]?.subject).toBe("svc_reports");
	});

	it("with cache: false, is called for every request (still one at a time per key)", async () => {
		const { key, record } = keyed();
		const { lookup, calls } = store([record], 5);
		const guard = verifierWith({ lookup, cache: false }).compileGuard();
		await Promise.all([guard(withKey(key)), guard(withKey(key))]);
		await guard(withKey(key));
		expect(calls).toHaveLength(2);
	});

	it("comes after the static list: a listed key makes no call", () => {
		const listed = keyed();
		const { lookup, calls } = store([]);
		const guard = verifierWith({ keys: [listed.record], lookup }).compileGuard();
		expect((guard(withKey(listed.key)) as AuthResult).subject).toBe("svc_reports");
		expect(calls).toEqual([]);
	});

	it.each([
		[
			"throwing",
			() => {
				throw new Error("the key store is down");
			},
			"the key store is down",
		],
		["rejecting", () => Promise.reject(new Error("ECONNRESET")), "ECONNRESET"],
		[
			"answering a malformed record",
			() => ({ subject: "svc" }),
			"bearerguard: apiKeys.lookup answered a malformed record: hash must be the lowercase hex SHA-256 of the key (64 characters, as hashApiKey(key) returns).",
		],
		[
			"answering the record of another key",
			() => ({ hash: generateApiKey().hash, subject: "svc", permissions: [] }),
			"bearerguard: apiKeys.lookup answered a record of another hash than the one asked.",
		],
	])("is the 503 api_key_lookup_failed when %s, never a 401", async (_name, lookup, cause) => {
		const guard = verifierWith({ lookup: lookup as ApiKeysOptions["lookup"] }).compileGuard();
		const error = await refusal<TemporarilyUnavailableError>(
			Promise.resolve().then(() => guard(withKey(generateApiKey().key))),
			"api_key_lookup_failed",
		);
		expect(error.retryAfter).toBe(1);
		expect((error.cause as Error).message).toBe(cause);
		expect(error.scheme).toBe("ApiKey");
	});

	it("answers the 503 once the timeout passes when the lookup hangs, and tries again on the next request", async () => {
		const { key, record } = keyed();
		let answer = new Promise<ApiKeyRecord | undefined>(() => undefined);
		let calls = 0;
		const guard = verifierWith({
			lookup: () => {
				calls++;
				return answer;
			},
			timeout: "200ms",
		}).compileGuard();
		const started = performance.now();
		const error = await refusal(
			Promise.resolve().then(() => guard(withKey(key))),
			"api_key_lookup_failed",
		);
		const elapsed = performance.now() - started;
		expect(elapsed).toBeGreaterThanOrEqual(190);
		expect(elapsed).toBeLessThan(2000);
		expect((error.cause as Error).message).toBe(
			'apiKeys.lookup did not answer within 0.2 s ("apiKeys.timeout")',
		);
		answer = Promise.resolve(record);
		expect(await guard(withKey(key))).toMatchObject({ subject: "svc_reports" });
		expect(calls).toBe(2);
	});

	it("keeps its memory bounded under a flood of unknown keys, and the found keys stay cached", async () => {
		const { key, record } = keyed();
		const { lookup, calls } = store([record]);
		const verifier = verifierWith({ lookup, cache: { max: 100 } });
		const guard = verifier.compileGuard();
		guard(withKey(key));
		for (let index = 0; index < 5000; index++) {
			expectRefusal(
				thrownBy(() => guard(withKey(generateApiKey().key))),
				"api_key_unknown",
			);
		}
		expect(verifier.apiKeyLookups?.size).toEqual({ found: 1, unknown: 100 });
		expect(calls).toHaveLength(5001);
		const before = calls.length;
		guard(withKey(key));
		expect(calls.length).toBe(before);
	});
});

describe("the checks that apply to every credential", () => {
	it("isRevoked sees the key's auth (keyed on its hash); a throw is the 503", async () => {
		const { key, record } = keyed();
		const revoked = verifierWith({ keys: [record] }, { isRevoked: (auth) => auth.token === record.hash });
		expectRefusal(
			thrownBy(() => revoked.compileGuard()(withKey(key))),
			"revoked",
		);
		const broken = verifierWith(
			{ keys: [record] },
			{
				isRevoked: () => {
					throw new Error("redis down");
				},
			},
		);
		expectRefusal(
			thrownBy(() => broken.compileGuard()(withKey(key))),
			"revocation_check_failed",
		);
		const asynchronous = verifierWith({ keys: [record] }, { isRevoked: async () => true });
		await refusal(Promise.resolve(asynchronous.compileGuard()(withKey(key))), "revoked");
	});

	it("validate sees it too (refusing keys where it says so)", () => {
		const { key, record } = keyed();
		const verifier = verifierWith({ keys: [record] }, { validate: (auth) => auth.source !== "api-key" });
		expectRefusal(
			thrownBy(() => verifier.compileGuard()(withKey(key))),
			"validation_failed",
		);
	});

	it("the organization: required, of the configured shape, equal to the request's header", () => {
		const member = keyed({ subject: "svc", permissions: [], organization: "org_acme" });
		const orphan = keyed({ subject: "svc", permissions: [] });
		const odd = keyed({ subject: "svc", permissions: [], organization: "acme" });
		const guard = verifierWith(
			{ keys: [member.record, orphan.record, odd.record] },
			{ organization: { header: "x-organization-id" } },
		).compileGuard();
		expect((guard(withKey(member.key, { "x-organization-id": "org_acme" })) as AuthResult).organization).toBe(
			"org_acme",
		);
		expectRefusal(
			thrownBy(() => guard(withKey(member.key, { "x-organization-id": "org_other" }))),
			"organization_mismatch",
		);
		expectRefusal(
			thrownBy(() => guard(withKey(orphan.key))),
			"organization_invalid",
		);
		expectRefusal(
			thrownBy(() => guard(withKey(odd.key))),
			"organization_invalid",
		);
	});

	it("permissions: the guard's, with the challenge's scope; the 403 carries the deprecation headers", () => {
		const { key, record } = keyed({ subject: "svc", permissions: ["read"] });
		const verifier = verifierWith({ keys: [record], deprecation: DEPRECATION });
		expect((verifier.compileGuard({ permissions: ["read"] })(withKey(key)) as AuthResult).subject).toBe(
			"svc",
		);
		const error = expectRefusal<InsufficientScopeError>(
			thrownBy(() => verifier.compileGuard({ anyPermission: ["write", "admin"] })(withKey(key))),
			"insufficient_scope",
		);
		expect(toErrorResponse(error)).toEqual({
			status: 403,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate":
					'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write admin"',
				...DEPRECATION_HEADERS,
			},
			body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		});
	});
});

describe("deprecation", () => {
	it("adds its headers to every answer to a key request: successes (successHeaders) and failures", async () => {
		const { key, record } = keyed();
		const verifier = verifierWith({ keys: [record], deprecation: DEPRECATION });
		const auth = verifier.compileGuard()(withKey(key)) as AuthResult;
		expect(verifier.successHeaders?.(auth)).toEqual(DEPRECATION_HEADERS);
		const error = expectRefusal(
			thrownBy(() => verifier.compileGuard()(withKey(generateApiKey().key))),
			"api_key_unknown",
		);
		expect(error.headers).toEqual({
			"content-type": "application/json",
			"cache-control": "no-store",
			"www-authenticate": 'Bearer realm="api", error="invalid_token", error_description="Invalid API key"',
			...DEPRECATION_HEADERS,
		});
		const both = await rejectionOf(
			Promise.resolve().then(() =>
				verifier.compileGuard()({ headers: { "x-api-key": key, authorization: "Bearer abc" } }),
			),
		);
		expect(expectRefusal(both, "several_credentials").answerHeaders).toEqual(DEPRECATION_HEADERS);
	});

	it("leaves the answers to tokens alone, and is off by default", () => {
		const { key, record } = keyed();
		expect(verifierWith({ keys: [record] }).successHeaders).toBeUndefined();
		const verifier = verifierWith({ keys: [record], deprecation: {} });
		const auth = verifier.compileGuard()(withKey(key)) as AuthResult;
		expect(verifier.successHeaders?.(auth)).toEqual({ deprecation: "@0" });
		expect(verifier.successHeaders?.({ ...auth, source: "jwt" } as unknown as AuthResult)).toBeUndefined();
	});
});

describe("reading the key", () => {
	const { key, record } = keyed();
	const guard = (apiKeys: Partial<ApiKeysOptions> = {}, extra: VerifierOptions = {}) =>
		verifierWith({ keys: [record], ...apiKeys }, extra).compileGuard();

	it("from x-api-key; a missing or empty header is no credentials (the bare 401)", () => {
		expect((guard()(withKey(key)) as AuthResult).subject).toBe("svc_reports");
		expectRefusal(
			thrownBy(() => guard()({ headers: {} })),
			"token_missing",
		);
		expectRefusal(
			thrownBy(() => guard()({ headers: { "x-api-key": "" } })),
			"token_missing",
		);
	});

	it("from the configured header only", () => {
		const custom = guard({ header: "X-Legacy-Key" });
		expect((custom({ headers: { "x-legacy-key": key } }) as AuthResult).subject).toBe("svc_reports");
		expectRefusal(
			thrownBy(() => custom(withKey(key))),
			"token_missing",
		);
	});

	it("from the query only when a parameter is named", () => {
		expectRefusal(
			thrownBy(() => guard()({ headers: {}, query: { api_key: key } })),
			"token_missing",
		);
		const queried = guard({ query: "api_key" });
		expect((queried({ headers: {}, query: { api_key: key } }) as AuthResult).subject).toBe("svc_reports");
		expectRefusal(
			thrownBy(() => queried({ headers: {}, query: { api_key: [key, key] } })),
			"several_credentials",
		);
		expectRefusal(
			thrownBy(() => queried({ headers: {}, query: { api_key: { nested: key } } })),
			"api_key_malformed",
		);
		expectRefusal(
			thrownBy(() => queried({ ...withKey(key), query: { api_key: key } })),
			"several_credentials",
		);
	});

	it("one method only: a key with a bearer token (header or query) is the 400", () => {
		const error = expectRefusal<BearerError>(
			thrownBy(() => guard()({ headers: { "x-api-key": key, authorization: "Bearer eyJ.e30.sig" } })),
			"several_credentials",
		);
		expect(toErrorResponse(error).headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_request", error_description="More than one credential sent"',
		);
		const queryToken = guard({}, { allowQueryToken: true });
		expectRefusal(
			thrownBy(() => queryToken({ ...withKey(key), query: { access_token: "abc" } })),
			"several_credentials",
		);
		// Another scheme counts as no credentials: the key alone answers.
		expect(
			(guard()({ headers: { "x-api-key": key, authorization: "Basic dTpw" } }) as AuthResult).subject,
		).toBe("svc_reports");
	});

	it("two header lines are two keys: the 400", () => {
		const check = verifierWith({ keys: [record] }).compileGuard();
		const request = { raw: ["X-Api-Key", key, "x-api-key", key], headers: { "x-api-key": `${key}, ${key}` } };
		const reader = { headers: (r: typeof request) => r.headers, rawHeaders: (r: typeof request) => r.raw };
		expectRefusal(
			thrownBy(() => check(request, reader)),
			"several_credentials",
		);
		expectRefusal(
			thrownBy(() => check({ headers: { "x-api-key": [key, key] } })),
			"several_credentials",
		);
	});

	it("optional guards go on without credentials, and still refuse a bad key", () => {
		const optional = verifierWith({ keys: [record] }).compileGuard({ optional: true });
		expect(optional({ headers: {} })).toBeUndefined();
		expectRefusal(
			thrownBy(() => optional(withKey(generateApiKey().key))),
			"api_key_unknown",
		);
	});
});

describe("without apiKeys", () => {
	it("the header is not read", () => {
		const guard = createVerifier(BASE).compileGuard();
		expectRefusal(
			thrownBy(() => guard(withKey(generateApiKey().key))),
			"token_missing",
		);
	});

	it("a TemporarilyUnavailableError is what a lookup failure is", () => {
		expect(new TemporarilyUnavailableError("api_key_lookup_failed", 1).message).toBe(
			"API key verification is temporarily unavailable",
		);
	});
});
