/**
 * `@acme/auth`: the auth configuration every service of the monorepo shares, so they accept the same
 * tokens and answer the same way: one issuer, one audience, one organization rule, one list of
 * permission names (a misspelt permission is a type error, not a route nobody can call).
 */
import type { AuthOptions } from "@bearerguard/core";

/** Every permission a service may require. */
export const PERMISSIONS = {
	readOrders: "orders:read",
	writeOrders: "orders:write",
	readCatalog: "catalog:read",
	writeCatalog: "catalog:write",
} as const;

/** One of {@link PERMISSIONS}. */
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** The organization rule: every token names one, and the request's header, when sent, must equal it. */
export const ORGANIZATION_HEADER = "x-organization-id";

/** Where the tokens come from and whom they are for. */
export interface AuthSettings {
	readonly issuer: string;
	readonly audience: string;
}

/** The settings from `AUTH_ISSUER` and `AUTH_AUDIENCE`; a missing one stops the service at start-up. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AuthSettings {
	const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = env;
	if (!issuer || !audience)
		throw new Error("Set AUTH_ISSUER and AUTH_AUDIENCE (e.g. https://auth.acme.test/).");
	return { issuer, audience };
}

/**
 * The options every service passes to its bearerguard adapter (`requireAuth`, `BearerGuardModule`):
 * the same verifier, organization rule and permission claims everywhere.
 */
export function authOptions(settings: AuthSettings = settingsFromEnvironment()): AuthOptions {
	return {
		issuer: settings.issuer,
		audience: settings.audience,
		organization: { claim: "org_id", required: true, header: ORGANIZATION_HEADER },
		permissionsClaim: ["permissions", "scope"],
		clockTolerance: "5s",
	};
}
