import {
	type AuthOptions,
	authorize,
	BearerError,
	createVerifier,
	type GuardOptions,
	type VerifierOptions,
} from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer, type Expected, invalidToken, ok } from "../support/answers.js";
import { ADAPTERS, type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { send } from "../support/http.js";

/**
 * The README's identity-provider recipes, each with tokens shaped as that provider issues them (claims
 * and header, minted by the test issuer's `sign`), through the core and every adapter. The recipes
 * discover their keys from the issuer; here every issuer string is the provider's and the keys come
 * from the test issuer's `jwksUri` (the only change).
 */

const TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
const ENTRA_CLIENT = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const COGNITO_POOL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123";
const COGNITO_CLIENT = "1example23456789";
const GOOGLE_CLIENT = "1234567890-abc123def456.apps.googleusercontent.com";

interface Recipe {
	readonly provider: string;
	/** The recipe as the README gives it (without `jwksUri` where it discovers). */
	readonly options: VerifierOptions;
	/** What the route requires. */
	readonly guard: GuardOptions;
	/** A token as the provider issues it: claims and header. */
	readonly valid: { readonly claims: Record<string, unknown>; readonly header: Record<string, unknown> };
	readonly expectedPermissions: readonly string[];
	/** The provider's usual pitfall, and its answer. */
	readonly pitfall: {
		readonly name: string;
		readonly claims: Record<string, unknown>;
		readonly header?: Record<string, unknown>;
		readonly expected: Expected;
	};
}

const now = () => Math.floor(Date.now() / 1000);

const recipes: readonly Recipe[] = [
	{
		provider: "Auth0",
		options: { issuer: "https://acme.us.auth0.com/", audience: "https://api.acme.com" },
		guard: { permissions: ["write:products"] },
		valid: {
			header: { typ: "JWT" },
			claims: {
				iss: "https://acme.us.auth0.com/",
				sub: "auth0|64f1c2a9e3b0d1a2b3c4d5e6",
				aud: ["https://api.acme.com", "https://acme.us.auth0.com/userinfo"],
				azp: "kbyuFDidLLm280LIwVFiazOqjO3ty8KH",
				scope: "openid profile",
				permissions: ["read:products", "write:products"],
				org_id: "org_9ybsU1dN2dKfDkBi",
			},
		},
		expectedPermissions: ["openid", "profile", "read:products", "write:products"],
		pitfall: {
			name: "an issuer without its trailing slash",
			claims: {
				iss: "https://acme.us.auth0.com",
				aud: "https://api.acme.com",
				permissions: ["write:products"],
			},
			expected: invalidToken("Unexpected token issuer"),
		},
	},
	{
		provider: "Okta",
		options: { issuer: "https://acme.okta.com/oauth2/default", audience: "api://default" },
		guard: { permissions: ["products.read"] },
		valid: {
			header: {},
			claims: {
				ver: 1,
				jti: "AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE",
				iss: "https://acme.okta.com/oauth2/default",
				aud: "api://default",
				cid: "0oa1kb2c3d4e5f6g7h8i",
				uid: "00u1ab2cd3ef4gh5ij6k",
				scp: ["openid", "products.read"],
				sub: "jane.doe@acme.com",
			},
		},
		expectedPermissions: ["openid", "products.read"],
		pitfall: {
			name: "a token of the org authorization server (for Okta's own APIs)",
			claims: { iss: "https://acme.okta.com", aud: "https://acme.okta.com", scp: ["products.read"] },
			expected: invalidToken("Unexpected token issuer"),
		},
	},
	{
		provider: "Microsoft Entra ID",
		options: { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, audience: ENTRA_CLIENT },
		guard: { anyPermission: ["Products.Write", "Products.Admin"] },
		valid: {
			header: { typ: "JWT", x5t: "KQ2tAcrE7lBaViGmN8Pjgau0Axc" },
			claims: {
				iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
				aud: ENTRA_CLIENT,
				azp: "3b0f4bd1-1c4a-4e0c-9a33-53c1f0c9f6a1",
				tid: TENANT,
				oid: "00000000-0000-0000-66f3-3332eca7ea81",
				scp: "Products.Read Products.Write",
				roles: ["Products.Admin"],
				ver: "2.0",
			},
		},
		expectedPermissions: ["Products.Admin", "Products.Read", "Products.Write"],
		pitfall: {
			name: "a v1.0 token (the app's manifest still has accessTokenAcceptedVersion null)",
			claims: {
				iss: `https://sts.windows.net/${TENANT}/`,
				aud: `api://${ENTRA_CLIENT}`,
				scp: "Products.Write",
				ver: "1.0",
			},
			expected: invalidToken("Unexpected token issuer"),
		},
	},
	{
		provider: "Keycloak",
		options: {
			issuer: "https://sso.acme.com/realms/acme",
			audience: "acme-api",
			permissionsClaim: ["scope", "realm_access.roles", "resource_access.acme-api.roles"],
		},
		guard: { permissions: ["products:write"] },
		valid: {
			header: { typ: "JWT" },
			claims: {
				iss: "https://sso.acme.com/realms/acme",
				aud: ["acme-api", "account"],
				typ: "Bearer",
				azp: "acme-web",
				sid: "8c1b7e5c-2a43-4e2c-9d0b-9b8d3a6c1f11",
				scope: "openid email profile",
				realm_access: { roles: ["offline_access", "default-roles-acme"] },
				resource_access: {
					"acme-api": { roles: ["products:write"] },
					account: { roles: ["manage-account"] },
				},
				preferred_username: "jane",
			},
		},
		expectedPermissions: [
			"default-roles-acme",
			"email",
			"offline_access",
			"openid",
			"products:write",
			"profile",
		],
		pitfall: {
			name: "aud is only 'account' (no audience mapper for the API's client)",
			claims: {
				iss: "https://sso.acme.com/realms/acme",
				aud: "account",
				resource_access: { "acme-api": { roles: ["products:write"] } },
			},
			expected: invalidToken("Unexpected token audience"),
		},
	},
	{
		provider: "Amazon Cognito",
		options: {
			issuer: COGNITO_POOL,
			audience: COGNITO_CLIENT,
			audienceClaim: "client_id",
			permissionsClaim: ["scope", "cognito:groups"],
		},
		guard: { permissions: ["products/read"] },
		valid: {
			header: {},
			claims: {
				iss: COGNITO_POOL,
				aud: undefined,
				sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
				client_id: COGNITO_CLIENT,
				token_use: "access",
				scope: "aws.cognito.signin.user.admin products/read",
				"cognito:groups": ["admins"],
				auth_time: now(),
				username: "jane",
				version: 2,
			},
		},
		expectedPermissions: ["admins", "aws.cognito.signin.user.admin", "products/read"],
		pitfall: {
			name: "an ID token (aud is the client, no client_id, token_use id)",
			claims: {
				iss: COGNITO_POOL,
				aud: COGNITO_CLIENT,
				token_use: "id",
				"cognito:groups": ["admins"],
				email: "jane@acme.com",
			},
			expected: invalidToken("Unexpected token audience"),
		},
	},
	{
		provider: "Google",
		options: {
			issuer: ["https://accounts.google.com", "accounts.google.com"],
			audience: GOOGLE_CLIENT,
			jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
			validate: (auth) => auth.claims.email_verified === true,
		},
		guard: {},
		valid: {
			header: { typ: "JWT" },
			claims: {
				iss: "accounts.google.com",
				azp: GOOGLE_CLIENT,
				aud: GOOGLE_CLIENT,
				sub: "110169484474386276334",
				email: "jane@acme.com",
				email_verified: true,
			},
		},
		expectedPermissions: [],
		pitfall: {
			name: "an unverified email",
			claims: {
				iss: "https://accounts.google.com",
				aud: GOOGLE_CLIENT,
				email: "x@y.z",
				email_verified: false,
			},
			expected: invalidToken("Token failed validation"),
		},
	},
];

let issuer: TestIssuer;
let apps: TestApp[];
const slug = (provider: string) => provider.toLowerCase().replace(/[^a-z]+/g, "-");

/** The recipe with the test issuer's keys in place of the provider's. */
function withTestKeys(recipe: Recipe): VerifierOptions {
	return { ...recipe.options, jwksUri: issuer.jwksUri };
}

beforeAll(async () => {
	issuer = await createTestIssuer();
	const routes: RouteSpec[] = recipes.map((recipe) => ({
		method: "GET",
		path: `/p/${slug(recipe.provider)}`,
		standalone: true,
		auth: { ...withTestKeys(recipe), ...recipe.guard } as AuthOptions,
	}));
	apps = await startApps({}, routes);
});

afterAll(async () => {
	await Promise.all(apps?.map((app) => app.close()) ?? []);
	await issuer?.close();
});

describe.each(recipes)("$provider", (recipe) => {
	const path = () => `/p/${slug(recipe.provider)}`;
	const validToken = () => issuer.sign(recipe.valid.claims, { header: recipe.valid.header });
	const pitfallToken = () => issuer.sign(recipe.pitfall.claims, { header: recipe.pitfall.header ?? {} });

	it("the core: verify and authorize a token as the provider issues it", async () => {
		const verifier = createVerifier(withTestKeys(recipe));
		const auth = await verifier.verify(await validToken());
		expect([...auth.permissions].sort()).toEqual(recipe.expectedPermissions);
		expect(auth.subject).toBe(recipe.valid.claims.sub ?? "user_123");
		expect(() => authorize(auth, recipe.guard)).not.toThrow();
		const refused = await verifier.verify(await pitfallToken()).then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(refused).toBeInstanceOf(BearerError);
		const expected = recipe.pitfall.expected as Exclude<Expected, { status: 200 }>;
		expect((refused as BearerError).message).toBe(expected.message);
	});

	it.each(ADAPTERS)("%s: the valid token passes the route's guard", async (name) => {
		const target = apps.find((app) => app.name === name)!;
		const headers = { authorization: `Bearer ${await validToken()}` };
		checkAnswer(
			await send(target, { method: "GET", path: path(), headers }),
			ok({ permissions: [...recipe.expectedPermissions] }),
		);
	});

	it.each(ADAPTERS)(`%s: ${recipe.pitfall.name}`, async (name) => {
		const target = apps.find((app) => app.name === name)!;
		const headers = { authorization: `Bearer ${await pitfallToken()}` };
		checkAnswer(await send(target, { method: "GET", path: path(), headers }), recipe.pitfall.expected);
	});
});
