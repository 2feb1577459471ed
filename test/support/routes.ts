import type { AuthOptions } from "@bearerguard/core";
import type { RouteSpec } from "./apps.js";
import type { Fixture } from "./fixture.js";

/** The organization header of the organization routes. */
export const ORG_HEADER = "x-organization-id";

/** The app-wide options: every route that is not `standalone` is merged over them. */
export function appDefaults(fx: Fixture): AuthOptions {
	return { issuer: fx.main.issuer, audience: fx.main.audience };
}

/**
 * The one route list every adapter's app is built from.
 *
 * @example
 * ```ts
 * const apps = await startApps(appDefaults(fx), createRoutes(fx))
 * ```
 */
export function createRoutes(fx: Fixture): RouteSpec[] {
	const organization = { header: ORG_HEADER };
	return [
		{ method: "GET", path: "/v1/products" },
		{ method: "POST", path: "/v1/products", auth: { permissions: ["write"] } },
		{ method: "DELETE", path: "/v1/products", requirePermissions: ["delete"] },
		{ method: "GET", path: "/v1/all", auth: { permissions: ["read", "write"] } },
		{ method: "GET", path: "/v1/any", auth: { anyPermission: ["write", "admin"] } },
		{ method: "GET", path: "/v1/optional", auth: { optional: true } },
		{ method: "GET", path: "/v1/query", auth: { allowQueryToken: true } },
		{ method: "GET", path: "/v1/org", auth: { organization } },
		{ method: "POST", path: "/v1/org", auth: { organization, permissions: ["write"] } },
		{
			method: "GET",
			path: "/v1/env/discovery",
			standalone: true,
			auth: { permissions: ["write"] },
			env: { BEARERGUARD_ISSUER: fx.main.issuer, BEARERGUARD_AUDIENCE: fx.main.audience },
		},
		{
			method: "GET",
			path: "/v1/env/jwks",
			standalone: true,
			env: {
				BEARERGUARD_ISSUER: fx.jwksOnly.issuer,
				BEARERGUARD_AUDIENCE: fx.jwksOnly.audience,
				BEARERGUARD_JWKS_URI: fx.jwksOnly.jwksUri,
			},
		},
		{
			method: "GET",
			path: "/v1/env/secret",
			standalone: true,
			env: {
				BEARERGUARD_ISSUER: fx.hs.issuer,
				BEARERGUARD_AUDIENCE: fx.hs.audience,
				BEARERGUARD_SECRET: fx.hs.secret,
			},
		},
		{
			method: "GET",
			path: "/v1/down",
			standalone: true,
			auth: { issuer: fx.down.issuer, audience: fx.down.audience },
		},
	];
}
