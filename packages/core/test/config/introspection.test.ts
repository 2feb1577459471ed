import { describe, expect, it } from "vitest";
import { resolveIntrospection } from "../../src/config/introspection.js";
import { createVerifier, type IntrospectionOptions } from "../../src/index.js";
import { thrownBy } from "../support/refusals.js";

const client = { clientId: "orders-api", clientSecret: "s3cret" };

describe("resolveIntrospection", () => {
	it("is off without introspection", () => {
		expect(resolveIntrospection(undefined)).toBeUndefined();
	});

	it("applies the defaults: the metadata's endpoint, Basic, 60 s, 10,000 entries, 5 s, opaque tokens only", () => {
		const resolved = resolveIntrospection(client);
		expect(resolved).toEqual({
			endpoint: undefined,
			clientId: "orders-api",
			clientSecret: "s3cret",
			auth: "client_secret_basic",
			cacheMaxAge: 60,
			cacheMaxEntries: 10_000,
			timeout: 5,
			jwt: false,
		});
		expect(Object.isFrozen(resolved)).toBe(true);
	});

	it("takes every setting", () => {
		expect(
			resolveIntrospection({
				...client,
				endpoint: "https://auth.example.com/oauth2/introspect",
				auth: "client_secret_post",
				cacheMaxAge: "5m",
				cacheMaxEntries: 10,
				timeout: "2s",
				jwt: true,
			}),
		).toEqual({
			...client,
			endpoint: "https://auth.example.com/oauth2/introspect",
			auth: "client_secret_post",
			cacheMaxAge: 300,
			cacheMaxEntries: 10,
			timeout: 2,
			jwt: true,
		});
	});

	it("needs an endpoint when the first issuer is not a URL whose metadata could name one", () => {
		const options = { issuer: "my-issuer", audience: "a", secret: "s".repeat(32), introspection: client };
		expect(thrownBy(() => createVerifier(options))).toEqual(
			new TypeError(
				'bearerguard: "introspection.endpoint" is required: the first "issuer" is not an http(s) URL whose metadata could name it.',
			),
		);
		const endpoint = "https://auth.example.com/introspect";
		expect(
			createVerifier({ ...options, introspection: { ...client, endpoint } }).options.introspection?.endpoint,
		).toBe(endpoint);
	});

	it.each<[string, unknown, string]>([
		["not an object", "yes", '"introspection" must be an object such as { clientId, clientSecret }.'],
		[
			"no clientId",
			{ clientSecret: "s" },
			'"introspection.clientId" is required: this API\'s client ID at the authorization server.',
		],
		[
			"an empty clientSecret",
			{ clientId: "a", clientSecret: "" },
			'"introspection.clientSecret" is required: its client secret.',
		],
		[
			"another client authentication",
			{ ...client, auth: "private_key_jwt" },
			"\"introspection.auth\" must be 'client_secret_basic' or 'client_secret_post'.",
		],
		[
			"a relative endpoint",
			{ ...client, endpoint: "/introspect" },
			'"introspection.endpoint" must be an absolute http(s) URL, or left out to use the issuer\'s metadata.',
		],
		[
			"a file: endpoint",
			{ ...client, endpoint: "file:///etc/passwd" },
			'"introspection.endpoint" must be an absolute http(s) URL, or left out to use the issuer\'s metadata.',
		],
		[
			"cacheMaxEntries 0",
			{ ...client, cacheMaxEntries: 0 },
			'"introspection.cacheMaxEntries" must be a whole number >= 1.',
		],
		["jwt as a string", { ...client, jwt: "yes" }, '"introspection.jwt" must be true or false.'],
		[
			"a bad timeout",
			{ ...client, timeout: "later" },
			"\"introspection.timeout\" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.",
		],
	])("refuses %s with a TypeError that says what to fix", (_name, options, message) => {
		expect(thrownBy(() => resolveIntrospection(options as IntrospectionOptions))).toEqual(
			new TypeError(`bearerguard: ${message}`),
		);
		expect(
			thrownBy(() =>
				createVerifier({
					issuer: "https://i.example/",
					audience: "a",
					introspection: options as IntrospectionOptions,
				}),
			),
		).toEqual(new TypeError(`bearerguard: ${message}`));
	});
});
