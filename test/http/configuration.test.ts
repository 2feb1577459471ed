import * as bgExpress from "@bearerguard/express";
import bearerGuard, { requireAuth as fastifyRequireAuth } from "@bearerguard/fastify";
import * as bgKoa from "@bearerguard/koa";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName } from "../support/apps.js";

/**
 * Configuration mistakes fail when the guard is made, with a `TypeError` that says what to fix, in
 * every adapter and in JavaScript as in TypeScript: empty permission lists, unknown option names (at
 * every level), and environment variables that would change the kind of key source the code chose
 * or that hold a bad value (the error names the variable).
 */

let issuer: TestIssuer;
beforeAll(async () => {
	issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

/** What a test passes: options as plain JavaScript would, with no type checking. */
type Options = Record<string, unknown>;

/** Makes a guard through the adapter's own API (Fastify: the named hook and the plugin). */
async function make(name: AdapterName, options: Options): Promise<unknown> {
	if (name === "koa") return bgKoa.requireAuth(options as bgKoa.KoaAuthOptions);
	if (name === "fastify") {
		// The named hook throws when it is made; the plugin rejects its registration.
		let hookError: unknown;
		try {
			fastifyRequireAuth(options as never);
		} catch (error) {
			hookError = error;
		}
		const app = Fastify();
		let pluginError: unknown;
		try {
			await app.register(bearerGuard, options as never);
		} catch (error) {
			pluginError = error;
		} finally {
			await app.close();
		}
		expect(pluginError).toEqual(hookError);
		if (hookError !== undefined) throw hookError;
		return undefined;
	}
	return bgExpress.requireAuth(options as bgExpress.ExpressAuthOptions);
}

async function refusal(
	name: AdapterName,
	options: Options,
	env: Record<string, string> = {},
): Promise<unknown> {
	const saved = { ...process.env };
	Object.assign(process.env, env);
	try {
		await make(name, options);
	} catch (error) {
		return error;
	} finally {
		for (const key of Object.keys(env)) {
			if (saved[key] === undefined) delete process.env[key];
			else process.env[key] = saved[key];
		}
	}
	return undefined;
}

const base = () => ({ issuer: issuer.issuer, audience: issuer.audience });
const emptyList = (name: string) =>
	new TypeError(
		`bearerguard: "${name}" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "${name}" out.`,
	);
const KNOWN =
	"issuer, audience, jwksUri, secret, algorithms, clockTolerance, maxTokenAge, requireExpiry, typ, organization, permissionsClaim, isRevoked, validate, jwks, maxTokenLength, realm, allowQueryToken, allowBodyToken, tokenCache, audienceClaim, fetch, prefetch, resource, apiKeys, introspection, dpop, mtls, permissions, anyPermission, optional, onError, errorHandling";

interface ConfigCase {
	readonly name: string;
	readonly options: () => Options;
	readonly env?: () => Record<string, string>;
	readonly error: TypeError;
}

const cases: readonly ConfigCase[] = [
	{
		name: "anyPermission: [] (a list split from an unset variable)",
		options: () => ({ ...base(), anyPermission: "".split(",").filter(Boolean) }),
		error: emptyList("anyPermission"),
	},
	{
		name: "permissions: []",
		options: () => ({ ...base(), permissions: [] }),
		error: emptyList("permissions"),
	},
	{
		name: "anyPermission: [] with only guard options (the environment configures the verifier)",
		options: () => ({ anyPermission: [] }),
		env: () => ({ BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: issuer.audience }),
		error: emptyList("anyPermission"),
	},
	{
		name: "permission (a typo of permissions) protects nothing: refused",
		options: () => ({ ...base(), permission: ["admin"] }),
		error: new TypeError('bearerguard: unknown option "permission": did you mean "permissions"?'),
	},
	{
		name: "audiance",
		options: () => ({ issuer: issuer.issuer, audiance: issuer.audience }),
		error: new TypeError('bearerguard: unknown option "audiance": did you mean "audience"?'),
	},
	{
		name: "jwks_uri",
		options: () => ({ ...base(), jwks_uri: issuer.jwksUri }),
		error: new TypeError('bearerguard: unknown option "jwks_uri": did you mean "jwksUri"?'),
	},
	{
		name: "onErorr (an adapter option)",
		options: () => ({ ...base(), onErorr: () => undefined }),
		error: new TypeError('bearerguard: unknown option "onErorr": did you mean "onError"?'),
	},
	{
		name: "an unknown name with nothing close",
		options: () => ({ ...base(), scopes: ["read"] }),
		error: new TypeError(`bearerguard: unknown option "scopes"; the known ones are ${KNOWN}.`),
	},
	{
		name: "jwks.cooldwn",
		options: () => ({ ...base(), jwks: { cooldwn: "10s" } }),
		error: new TypeError('bearerguard: unknown option "jwks.cooldwn": did you mean "jwks.cooldown"?'),
	},
	{
		name: "organization.claims",
		options: () => ({ ...base(), organization: { claims: "tenant" } }),
		error: new TypeError(
			'bearerguard: unknown option "organization.claims": did you mean "organization.claim"?',
		),
	},
	{
		name: "tokenCache.maxage",
		options: () => ({ ...base(), tokenCache: { maxage: 60 } }),
		error: new TypeError(
			'bearerguard: unknown option "tokenCache.maxage": did you mean "tokenCache.maxAge"?',
		),
	},
	{
		name: "apiKeys.headr",
		options: () => ({ ...base(), apiKeys: { headr: "x-key", lookup: () => undefined } }),
		error: new TypeError('bearerguard: unknown option "apiKeys.headr": did you mean "apiKeys.header"?'),
	},
	{
		name: "apiKeys.deprecation.sunst",
		options: () => ({
			...base(),
			apiKeys: { lookup: () => undefined, deprecation: { sunst: "2027-01-01" } },
		}),
		error: new TypeError(
			'bearerguard: unknown option "apiKeys.deprecation.sunst": did you mean "apiKeys.deprecation.sunset"?',
		),
	},
	{
		name: "apiKeys with neither keys nor lookup",
		options: () => ({ ...base(), apiKeys: { keys: [] } }),
		error: new TypeError(
			'bearerguard: "apiKeys" needs "keys" (records { hash, subject, permissions }) or "lookup" (hash) => record.',
		),
	},
	{
		name: "apiKeys.keys holding a key in clear instead of its hash",
		options: () => ({
			...base(),
			apiKeys: { keys: [{ hash: "bgk_secret", subject: "svc", permissions: [] }] },
		}),
		error: new TypeError(
			'bearerguard: "apiKeys.keys[0]": hash must be the lowercase hex SHA-256 of the key (64 characters, as hashApiKey(key) returns).',
		),
	},
	{
		name: "introspection.clientSecrt",
		options: () => ({ ...base(), introspection: { clientId: "api", clientSecrt: "s3cret" } }),
		error: new TypeError(
			'bearerguard: unknown option "introspection.clientSecrt": did you mean "introspection.clientSecret"?',
		),
	},
	{
		name: "introspection without clientSecret",
		options: () => ({ ...base(), introspection: { clientId: "api" } }),
		error: new TypeError('bearerguard: "introspection.clientSecret" is required: its client secret.'),
	},
	{
		name: "a stray BEARERGUARD_SECRET beside a configured issuer",
		options: base,
		env: () => ({ BEARERGUARD_SECRET: "s".repeat(40) }),
		error: new TypeError(
			'bearerguard: BEARERGUARD_SECRET is set, but the code configures keys from a JWKS ("issuer", "jwksUri" or asymmetric "algorithms"): the environment never turns a JWKS verifier into a shared-secret one. Unset BEARERGUARD_SECRET, or choose the secret in code ({ secret } or algorithms: [\'HS256\']).',
		),
	},
	{
		name: "a stray BEARERGUARD_SECRET beside a configured jwksUri",
		options: () => ({ audience: issuer.audience, jwksUri: issuer.jwksUri }),
		env: () => ({ BEARERGUARD_SECRET: "s".repeat(40), BEARERGUARD_ISSUER: issuer.issuer }),
		error: new TypeError(
			'bearerguard: BEARERGUARD_SECRET is set, but the code configures keys from a JWKS ("issuer", "jwksUri" or asymmetric "algorithms"): the environment never turns a JWKS verifier into a shared-secret one. Unset BEARERGUARD_SECRET, or choose the secret in code ({ secret } or algorithms: [\'HS256\']).',
		),
	},
	{
		name: "BEARERGUARD_JWKS_URI beside a secret in code",
		options: () => ({ ...base(), secret: "s".repeat(40) }),
		env: () => ({ BEARERGUARD_JWKS_URI: "https://keys.example/jwks.json" }),
		error: new TypeError(
			'bearerguard: BEARERGUARD_JWKS_URI is set, but the code configures a shared "secret": the environment never turns a shared-secret verifier into a JWKS one. Unset BEARERGUARD_JWKS_URI, or drop "secret".',
		),
	},
	{
		name: "a bad BEARERGUARD_CLOCK_TOLERANCE names the variable",
		options: base,
		env: () => ({ BEARERGUARD_CLOCK_TOLERANCE: "soon" }),
		error: new TypeError(
			"bearerguard: \"clockTolerance\" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h' (set by BEARERGUARD_CLOCK_TOLERANCE).",
		),
	},
	{
		name: "a BEARERGUARD_ISSUER that is not a URL names the variable",
		options: () => ({ audience: issuer.audience }),
		env: () => ({ BEARERGUARD_ISSUER: "auth-server" }),
		error: new TypeError(
			'bearerguard: "issuer" must be an absolute http(s) URL, got an unparsable value (set by BEARERGUARD_ISSUER).',
		),
	},
	{
		name: "BEARERGUARD_ALGORITHMS=none names the variable",
		options: base,
		env: () => ({ BEARERGUARD_ALGORITHMS: "none" }),
		error: new TypeError(
			'bearerguard: "algorithms" must not contain "none": unsigned tokens are never accepted (set by BEARERGUARD_ALGORITHMS).',
		),
	},
	{
		name: "a short BEARERGUARD_SECRET names the variable",
		options: () => ({ audience: issuer.audience }),
		env: () => ({ BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_SECRET: "short" }),
		error: new TypeError(
			'bearerguard: "secret" must be at least 32 bytes long (RFC 7518 §3.2) (set by BEARERGUARD_SECRET).',
		),
	},
];

describe.each(cases)("$name", (c) => {
	it.each(ADAPTERS)("%s: a TypeError when the guard is made", async (name) => {
		expect(await refusal(name, c.options(), c.env?.())).toEqual(c.error);
	});
});

describe("what the environment may do", () => {
	it.each(ADAPTERS)("%s: BEARERGUARD_SECRET is taken when the code chose HS256", async (name) => {
		const options = { ...base(), algorithms: ["HS256"] };
		expect(await refusal(name, options, { BEARERGUARD_SECRET: issuer.secret })).toBeUndefined();
	});

	it.each(ADAPTERS)("%s: the environment fills what the code left unset", async (name) => {
		const env = { BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: issuer.audience };
		expect(await refusal(name, { clockTolerance: "10s", permissions: ["read"] }, env)).toBeUndefined();
	});
});
