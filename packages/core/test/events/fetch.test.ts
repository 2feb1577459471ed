import { channel, subscribe, unsubscribe } from "node:diagnostics_channel";
import { createTestIssuer } from "@bearerguard/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { traceFetch } from "../../src/events/fetch.js";
import { CHANNELS, type ConfigEvent, createVerifier, FetchError, type FetchEvent } from "../../src/index.js";
import { closedPortUrl, jsonServer, routedServer } from "../support/faulty-servers.js";

const OPENID = "/.well-known/openid-configuration";
const OAUTH = "/.well-known/oauth-authorization-server";
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
	for (const undo of cleanup.splice(0).reverse()) await undo();
	vi.restoreAllMocks();
});

function capture<T>(name: string): T[] {
	const events: T[] = [];
	const listener = (message: unknown) => events.push(message as T);
	subscribe(name, listener);
	cleanup.push(() => unsubscribe(name, listener));
	return events;
}

/** The event without its timing, which varies. */
const timeless = ({ duration, ...event }: FetchEvent) => {
	expect(duration).toBeGreaterThanOrEqual(0);
	return event;
};

describe("the fetch event", () => {
	it("reports each discovery and JWKS fetch, with the keys kept and ignored", async () => {
		const issuer = await createTestIssuer();
		cleanup.push(() => issuer.close());
		const published = (await (await fetch(issuer.jwksUri)).json()) as { keys: unknown[] };
		issuer.setJwks({
			keys: [
				...published.keys,
				{ kty: "RSA", use: "enc", n: "AQAB", e: "AQAB" },
				{ kty: "oct", k: "c2VjcmV0" },
			],
		});
		const events = capture<FetchEvent>(CHANNELS.fetch);
		await createVerifier({ issuer: issuer.issuer, audience: issuer.audience }).ready();
		expect(events.map(timeless)).toEqual([
			{
				kind: "discovery",
				url: `${issuer.issuer}${OPENID}`,
				issuer: issuer.issuer,
				outcome: "success",
				status: 200,
				code: undefined,
				error: undefined,
				keys: undefined,
				ignoredKeys: undefined,
			},
			{
				kind: "jwks",
				url: issuer.jwksUri,
				issuer: undefined,
				outcome: "success",
				status: 200,
				code: undefined,
				error: undefined,
				keys: 1,
				ignoredKeys: 2,
			},
		]);
	});

	it("reports an HTTP failure with its code, status and error", async () => {
		const events = capture<FetchEvent>(CHANNELS.fetch);
		const server = await jsonServer({ error: "gone" }, { status: 404 });
		cleanup.push(() => server.close());
		await createVerifier({ issuer: server.origin, audience: "a", jwksUri: server.url })
			.ready({ signal: AbortSignal.timeout(300) })
			.catch(() => undefined);
		const summary = events.map((event) => [
			event.kind,
			event.url,
			event.outcome,
			event.code,
			event.status,
			event.error instanceof FetchError,
		]);
		expect(summary).toEqual([["jwks", server.url, "failure", "HTTP_STATUS", 404, true]]);
		expect(events[0]?.error?.message).toBe(`GET ${server.url} answered 404`);
	});

	it("reports a closed port as ECONNREFUSED for both metadata URLs", async () => {
		const down = await closedPortUrl("");
		const events = capture<FetchEvent>(CHANNELS.fetch);
		await createVerifier({ issuer: down, audience: "a" })
			.ready({ signal: AbortSignal.timeout(200) })
			.catch(() => undefined);
		expect(
			events
				.slice(0, 2)
				.map((event) => [event.kind, event.url, event.issuer, event.outcome, event.code, event.status]),
		).toEqual([
			["discovery", `${down}${OPENID}`, down, "failure", "ECONNREFUSED", undefined],
			["discovery", `${down}${OAUTH}`, down, "failure", "ECONNREFUSED", undefined],
		]);
	});

	it("publishes nothing without a subscriber, and traceFetch passes results and errors through", async () => {
		const publish = vi.spyOn(channel(CHANNELS.fetch), "publish");
		expect(
			await traceFetch(
				"introspection",
				"https://as.example/introspect",
				"https://as.example/",
				async () => 42,
			),
		).toBe(42);
		const boom = new FetchError("GET x failed", { code: "ECONNRESET" });
		await expect(traceFetch("introspection", "x", undefined, () => Promise.reject(boom))).rejects.toBe(boom);
		expect(publish).not.toHaveBeenCalled();
		publish.mockRestore();
		const events = capture<FetchEvent>(CHANNELS.fetch);
		await expect(
			traceFetch("introspection", "x", "https://as.example/", () => Promise.reject(boom)),
		).rejects.toBe(boom);
		expect(events.map(timeless)).toEqual([
			{
				kind: "introspection",
				url: "x",
				issuer: "https://as.example/",
				outcome: "failure",
				status: undefined,
				code: "ECONNRESET",
				error: boom,
				keys: undefined,
				ignoredKeys: undefined,
			},
		]);
	});
});

describe("the config event", () => {
	it("says once that the metadata names another issuer, however often it is fetched", async () => {
		const server = await routedServer({
			[OPENID]: (origin) => ({ issuer: `${origin}/`, jwks_uri: `${origin}/jwks` }),
		});
		cleanup.push(() => server.close());
		const configs = capture<ConfigEvent>(CHANNELS.config);
		const fetches = capture<FetchEvent>(CHANNELS.fetch);
		const verifier = createVerifier({ issuer: server.origin, audience: "a", jwks: { cooldown: 0.1 } });
		for (let attempt = 0; attempt < 3; attempt++) {
			await expect(verifier.ready()).rejects.toThrow(
				`bearerguard: no keys can be had: ${server.origin}${OPENID}: the metadata names the issuer "${server.origin}/", not the configured "${server.origin}" (they differ only in the trailing slash): configure the exact iss of your tokens ("${server.origin}/" if the issuer puts its own name in them).`,
			);
			await new Promise((resolve) => setTimeout(resolve, 150));
		}
		expect(server.requests).toEqual([`GET ${OPENID}`, `GET ${OPENID}`, `GET ${OPENID}`]);
		expect(configs).toEqual([
			{
				problem: "discovery_issuer_mismatch",
				issuer: server.origin,
				url: `${server.origin}${OPENID}`,
				found: `${server.origin}/`,
				message: `the metadata names the issuer "${server.origin}/", not the configured "${server.origin}" (they differ only in the trailing slash): configure the exact iss of your tokens ("${server.origin}/" if the issuer puts its own name in them)`,
			},
		]);
		expect(fetches.map((event) => [event.kind, event.outcome, event.code])).toEqual([
			["discovery", "failure", "ISSUER_MISMATCH"],
			["discovery", "failure", "ISSUER_MISMATCH"],
			["discovery", "failure", "ISSUER_MISMATCH"],
		]);
		const [health] = verifier.health().issuers;
		expect(health?.lastError).toEqual({
			at: health?.lastError?.at,
			reason: "discovery_issuer_mismatch",
			code: "ISSUER_MISMATCH",
			status: undefined,
			message: `${server.origin}${OPENID}: ${configs[0]?.message}`,
			configuration: true,
		});
	});
});
