import { InsufficientScopeError } from "./http/errors.js";
import type { AuthResult } from "./types.js";

/** What `authorize` requires: all of `permissions`, and at least one of `anyPermission`. */
export interface PermissionRequirement {
	/** Every one is required. */
	permissions?: readonly string[];
	/** At least one is required. */
	anyPermission?: readonly string[];
}

/**
 * Throws the 403 `insufficient_scope` unless `auth` holds every one of `permissions` and, when given,
 * at least one of `anyPermission`. The challenge's `scope` names what the route requires. An empty list
 * is a `TypeError`: it would require nothing.
 *
 * @example
 * ```ts
 * authorize(req.auth, { permissions: ['write'] }) // throws InsufficientScopeError without 'write'
 * ```
 */
export function authorize(auth: AuthResult, requirement: PermissionRequirement): void {
	if (requirement.permissions?.length === 0) throw emptyList("permissions");
	if (requirement.anyPermission?.length === 0) throw emptyList("anyPermission");
	checkRequirement(auth, requirement);
}

/** {@link authorize} for a requirement whose lists were checked when its guard was compiled. */
export function checkRequirement(auth: AuthResult, requirement: PermissionRequirement): void {
	const { permissions, anyPermission } = requirement;
	if (permissions !== undefined) {
		for (const permission of permissions) {
			if (!auth.permissions.has(permission)) throw new InsufficientScopeError(permissions);
		}
	}
	if (anyPermission !== undefined) {
		if (!anyPermission.some((permission) => auth.permissions.has(permission))) {
			throw new InsufficientScopeError(anyPermission);
		}
	}
}

/** An empty list would require nothing: a `TypeError` (a list split from an unset variable, say). */
function emptyList(name: string): TypeError {
	return new TypeError(
		`bearerguard: "${name}" is an empty list, which would require nothing (a list split from an unset variable?): name at least one permission, or leave "${name}" out.`,
	);
}

/** RFC 6750 §3 scope-token characters, so a permission can be named in the challenge. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Validates a list of permissions from guard options; a `TypeError` names the problem. */
export function checkPermissionList(value: unknown, name: string): readonly string[] | undefined {
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || !SCOPE_TOKEN.test(item))) {
		throw new TypeError(
			`bearerguard: "${name}" must be an array of permission names without spaces, quotes or backslashes, such as ['read', 'write'].`,
		);
	}
	if (value.length === 0) throw emptyList(name);
	return Object.freeze([...value]);
}
