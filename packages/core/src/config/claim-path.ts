/**
 * Where a configured claim lives in a token: a claim name, or a path into nested objects
 * (`realm_access.roles` of Keycloak). Claims are read only as the token's own members, at every step,
 * so no configured name ever reaches `Object.prototype` (`constructor`, `valueOf`, `__proto__`).
 */
import type { ClaimName } from "../types.js";

export type { ClaimName };

/** A configured claim, compiled once: the exact name to try first, and the path to try next. */
export interface ClaimPath {
	/** The claim name tried first, or `undefined` for an array (always a path). */
	readonly name: string | undefined;
	/** The nested path tried when the token has no claim `name`; `undefined` for a name without dots. */
	readonly path: readonly string[] | undefined;
	/** How the option wrote it, for messages. */
	readonly label: string;
}

/**
 * Compiles a claim option: a non-empty string, or a non-empty array of non-empty strings. A
 * `TypeError` names the option otherwise.
 *
 * @example
 * ```ts
 * toClaimPath('realm_access.roles', 'permissionsClaim') // { name: 'realm_access.roles', path: ['realm_access', 'roles'], ... }
 * ```
 */
export function toClaimPath(value: unknown, option: string): ClaimPath {
	if (typeof value === "string" && value !== "") {
		const steps = value.split(".");
		const path = steps.length > 1 && steps.every((step) => step !== "") ? Object.freeze(steps) : undefined;
		return Object.freeze({ name: value, path, label: value });
	}
	if (
		Array.isArray(value) &&
		value.length > 0 &&
		value.every((step) => typeof step === "string" && step !== "")
	) {
		const path = Object.freeze([...(value as string[])]);
		return Object.freeze({ name: undefined, path, label: path.join(".") });
	}
	throw new TypeError(
		`bearerguard: "${option}" must name a claim: a non-empty string such as 'org_id' or 'realm_access.roles', or an array path such as ['resource_access', 'my.api', 'roles'].`,
	);
}

function member(value: unknown, key: string): unknown {
	if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
	return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * The claim's value in `claims`, read as own members only: the exact name first, then the path; a
 * step that is missing or not an object gives `undefined`.
 *
 * @example
 * ```ts
 * readClaim({ realm_access: { roles: ['admin'] } }, toClaimPath('realm_access.roles', 'x')) // ['admin']
 * ```
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, claim: ClaimPath): unknown {
	if (claim.name !== undefined && Object.hasOwn(claims, claim.name)) return claims[claim.name];
	const path = claim.path;
	if (path === undefined) return undefined;
	let value: unknown = claims;
	for (const step of path) {
		value = member(value, step);
		if (value === undefined) return undefined;
	}
	return value;
}

/**
 * Compiles `permissionsClaim`: one claim, or a list of claims, each a name or a path (a list of
 * strings is a list of names). Default `['permissions', 'scope', 'scp', 'roles']`.
 */
export function resolvePermissionsClaims(
	value: ClaimName | readonly ClaimName[] | undefined,
): readonly ClaimPath[] {
	const list = value ?? ["permissions", "scope", "scp", "roles"];
	const claims = typeof list === "string" ? [list] : list;
	if (!Array.isArray(claims) || claims.length === 0) {
		throw new TypeError(
			"bearerguard: \"permissionsClaim\" must be a claim name, or a non-empty list of claim names or paths such as ['scope', 'realm_access.roles'].",
		);
	}
	return Object.freeze(claims.map((claim: unknown) => toClaimPath(claim, "permissionsClaim")));
}

/** Checks `audienceClaim`: a claim name, `'aud'` by default. */
export function resolveAudienceClaim(value: unknown): string {
	if (value === undefined) return "aud";
	if (typeof value !== "string" || value === "") {
		throw new TypeError("bearerguard: \"audienceClaim\" must be a claim name such as 'aud' or 'client_id'.");
	}
	return value;
}
