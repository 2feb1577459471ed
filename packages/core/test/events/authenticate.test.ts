import { channel, subscribe, unsubscribe } from "node:diagnostics_channel";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
	type AuthenticateEvent,
	type AuthOptions,
	CHANNELS,
	ClaimMismatch,
	createAuthenticator,
	createVerifier,
	InsufficientScopeError,
	InvalidTokenError,
	type RequestReader,
	TemporarilyUnavailableError,
} from "../../src/index.js";
import { closedPortUrl } from "../support/faulty-servers.js";

let issuer: TestIssuer;
let other: TestIssuer;
let base: AuthOptions;

beforeAll(async () => {
	[issuer, other] = await Promise.all([createTestIssuer(), createTestIssuer()]);
	base = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(async () => {
	await Promise.all([issuer.close(), other.close()]);
});

const listeners: Array<[string, (message: unknown) => void]> = [];
afterEach(() => {
	for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
	vi.restoreAllMocks();
});

/** Collects every `bearerguard:authenticate` event until the test ends. */
function capture(): AuthenticateEvent[] {
	const events: AuthenticateEvent[] = [];
	const listener = (message: unknown) => events.push(message as AuthenticateEvent);
	subscribe(CHANNELS.authenticate, listener);
	listeners.push([CHANNELS.authenticate, listener]);
	return events;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Runs a check and returns what it threw (or undefined). */
async function outcome(run: () => unknown): Promise<unknown> {
	try {
		await run();
		return undefined;
	} catch (error) {
		return error;
	}
}

describe("with no subscriber", () => {
	it("publishes nothing and reads no clock, on hits, misses, refusals and verify()", async () => {
		const publish = vi.spyOn(channel(CHANNELS.authenticate), "publish");
		const { authenticate, verifier } = createAuthenticator({ ...base, permissions: ["read"] }, {});
		const token = await issuer.sign({ permissions: ["read"] });
		await authenticate(bearer(token)); // a miss, fetching keys
		await authenticate(bearer(token)); // a miss, then stored
		await outcome(() => authenticate(bearer(`${token}x`)));
		await outcome(() => authenticate({ headers: {} }));
		await verifier?.verify(token);
		const now = vi.spyOn(performance, "now");
		for (let i = 0; i < 100; i++) expect(authenticate(bearer(token))).not.toBeInstanceOf(Promise);
		expect(now).not.toHaveBeenCalled();
		expect(publish).not.toHaveBeenCalled();
	});

	it("publishes nothing when only other channels have subscribers, or after the last one left", async () => {
		const { authenticate } = createAuthenticator(base, {});
		const token = await issuer.sign();
		const onFetch = () => undefined;
		subscribe(CHANNELS.fetch, onFetch);
		listeners.push([CHANNELS.fetch, onFetch]);
		// A spy on publish would hide the subscribers' publish, so it only watches while there are none.
		let publish = vi.spyOn(channel(CHANNELS.authenticate), "publish");
		await authenticate(bearer(token));
		expect(publish).not.toHaveBeenCalled();
		publish.mockRestore();
		const events = capture();
		await authenticate(bearer(token));
		expect(events).toHaveLength(1);
		const [name, listener] = listeners.pop() as [string, (message: unknown) => void];
		unsubscribe(name, listener);
		publish = vi.spyOn(channel(CHANNELS.authenticate), "publish");
		await authenticate(bearer(token));
		expect(publish).not.toHaveBeenCalled();
		expect(events).toHaveLength(1);
	});
});

describe("the authenticate event", () => {
	it("says authenticated, with scheme, source, issuer, subject and whether the cache answered", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator(base, {});
		const token = await issuer.sign({ sub: "user_42" });
		for (let i = 0; i < 3; i++) await authenticate(bearer(token));
		expect(events.map((event) => event.cacheHit)).toEqual([false, false, true]);
		for (const event of events) {
			expect(event).toEqual({
				outcome: "authenticated",
				reason: undefined,
				status: undefined,
				scheme: "Bearer",
				source: "jwt",
				issuer: issuer.issuer,
				subject: "user_42",
				cacheHit: event.cacheHit,
				duration: event.duration,
				error: undefined,
			});
			expect(event.duration).toBeGreaterThanOrEqual(0);
			expect(event.duration).toBeLessThan(5000);
		}
	});

	it("keeps a cached answer synchronous", async () => {
		capture();
		const { authenticate } = createAuthenticator(base, {});
		const token = await issuer.sign();
		await authenticate(bearer(token));
		await authenticate(bearer(token));
		expect(authenticate(bearer(token))).not.toBeInstanceOf(Promise);
	});

	it("says refused, with the reason, the status, the configured issuer and the error whose cause has the detail", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator(base, {});
		const token = await issuer.sign({ aud: "https://elsewhere.example" });
		const error = await outcome(() => authenticate(bearer(token)));
		expect(error).toBeInstanceOf(InvalidTokenError);
		expect(events).toEqual([
			{
				outcome: "refused",
				reason: "audience_mismatch",
				status: 401,
				scheme: "Bearer",
				source: undefined,
				issuer: issuer.issuer,
				subject: undefined,
				cacheHit: false,
				duration: events[0]?.duration,
				error,
			},
		]);
		const cause = (error as Error).cause as ClaimMismatch;
		expect(cause).toBeInstanceOf(ClaimMismatch);
		expect([cause.claim, cause.expected, cause.actual]).toEqual([
			"aud",
			[issuer.audience],
			"https://elsewhere.example",
		]);
		expect(cause.message).toBe(
			`the token has aud "https://elsewhere.example"; expected one of the accepted audiences ["${issuer.audience}"]`,
		);
	});

	it("never repeats an issuer that is not configured", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator(base, {});
		const error = await outcome(async () => authenticate(bearer(await other.sign())));
		expect(events[0]?.reason).toBe("issuer_mismatch");
		expect(events[0]?.issuer).toBeUndefined();
		const cause = (error as Error).cause as ClaimMismatch;
		expect([cause.claim, cause.expected, cause.actual]).toEqual(["iss", [issuer.issuer], other.issuer]);
	});

	it("carries no token, neither in its fields nor in its error", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator(base, {});
		const tokens = [
			await issuer.sign(),
			await issuer.sign({ aud: "x" }),
			await issuer.sign({}, { expiresIn: -60 }),
		];
		for (const token of tokens) await outcome(() => authenticate(bearer(token)));
		expect(events).toHaveLength(3);
		for (const [index, event] of events.entries()) {
			const token = tokens[index] as string;
			const text = JSON.stringify({
				...event,
				error: event.error && { message: event.error.message, cause: String(event.error.cause) },
			});
			expect(text).not.toContain(token.split(".")[2]);
			expect(text).not.toContain(token.split(".")[1]);
		}
	});

	it("says anonymous for an optional guard without credentials, and refused token_missing otherwise", async () => {
		const events = capture();
		const optional = createAuthenticator({ ...base, optional: true }, {});
		const required = createAuthenticator(base, {});
		expect(await optional.authenticate({ headers: {} })).toBeUndefined();
		await outcome(() => required.authenticate({ headers: { authorization: "Basic dXNlcjpwYXNz" } }));
		expect(events.map(({ duration: _, error, ...rest }) => ({ ...rest, error: error?.name }))).toEqual([
			{
				outcome: "anonymous",
				reason: undefined,
				status: undefined,
				scheme: undefined,
				source: undefined,
				issuer: undefined,
				subject: undefined,
				cacheHit: false,
				error: undefined,
			},
			{
				outcome: "refused",
				reason: "token_missing",
				status: 401,
				scheme: undefined,
				source: undefined,
				issuer: undefined,
				subject: undefined,
				cacheHit: false,
				error: "InvalidTokenError",
			},
		]);
	});

	it("says refused 403 insufficient_scope with the issuer, after a cache hit", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator({ ...base, permissions: ["write"] }, {});
		const token = await issuer.sign({ permissions: ["read"] });
		for (let i = 0; i < 3; i++)
			expect(await outcome(() => authenticate(bearer(token)))).toBeInstanceOf(InsufficientScopeError);
		expect(
			events.map((event) => [event.outcome, event.reason, event.status, event.issuer, event.cacheHit]),
		).toEqual([
			["refused", "insufficient_scope", 403, issuer.issuer, false],
			["refused", "insufficient_scope", 403, issuer.issuer, false],
			["refused", "insufficient_scope", 403, issuer.issuer, true],
		]);
	});

	it("says unavailable (503) when keys cannot be had, with the network code in the error's cause", async () => {
		const events = capture();
		const url = await closedPortUrl("");
		const { authenticate } = createAuthenticator({ issuer: url, audience: "https://api.example" }, {});
		const token = await issuer.sign({ iss: url, aud: "https://api.example" });
		const error = await outcome(() => authenticate(bearer(token)));
		expect(error).toBeInstanceOf(TemporarilyUnavailableError);
		expect(
			events.map((event) => [event.outcome, event.reason, event.status, event.issuer, event.scheme]),
		).toEqual([["unavailable", "discovery_failed", 503, url, "Bearer"]]);
		expect(((error as Error).cause as { code: string }).code).toBe("ECONNREFUSED");
	});

	it("says error (500) for what is not a bearerguard error, and passes it on unchanged", async () => {
		const events = capture();
		const { authenticate } = createAuthenticator(base, {});
		const broken = new Error("the reader broke");
		const reader: RequestReader<object> = {
			headers: () => {
				throw broken;
			},
		};
		expect(await outcome(() => authenticate({}, reader))).toBe(broken);
		expect(events.map((event) => [event.outcome, event.reason, event.status, event.error])).toEqual([
			["error", undefined, 500, broken],
		]);
	});

	it("is published by verifier.verify too: the scheme is auth.scheme, unknown for a refusal (a bare token)", async () => {
		const events = capture();
		const verifier = createVerifier(base);
		const token = await issuer.sign({ sub: "svc" });
		await verifier.verify(token);
		await outcome(() => verifier.verify(`${token}x`));
		expect(
			events.map((event) => [event.outcome, event.reason, event.scheme, event.subject, event.issuer]),
		).toEqual([
			["authenticated", undefined, "Bearer", "svc", issuer.issuer],
			// The payload is intact: the issuer it names is a configured one, so it is said.
			["refused", "token_malformed", undefined, undefined, issuer.issuer],
		]);
	});
});
