import type { GuardOptions } from "@bearerguard/core";
import { Reflector } from "@nestjs/core";
import { METADATA } from "./metadata.js";

const reflector = new Reflector();

/**
 * The guard options of one route, from the guard's own and the decorators on its method and controller:
 * `permissions` add up (guard, controller, method); `anyPermission` and `optional` of the method win
 * over the controller's, which win over the guard's. `'public'` for a `@Public()` route (a controller's
 * `@Public()` does not open a method that declares permissions), `undefined` when no decorator applies.
 */
export function routeGuardOptions(
	handler: object,
	controller: object,
	base: GuardOptions,
): GuardOptions | "public" | undefined {
	const read = <T>(key: string) =>
		[
			reflector.get<T | undefined>(key, handler as () => void),
			reflector.get<T | undefined>(key, controller as () => void),
		] as const;
	const [ownPublic, classPublic] = read<boolean>(METADATA.public);
	const [ownPermissions, classPermissions] = read<readonly string[]>(METADATA.permissions);
	const [ownAny, classAny] = read<readonly string[]>(METADATA.anyPermission);
	const [ownOptional, classOptional] = read<boolean>(METADATA.optional);
	const declares = ownPermissions !== undefined || ownAny !== undefined;
	if (ownPublic === true || (classPublic === true && !declares)) return "public";
	if (!declares && classPermissions === undefined && classAny === undefined) {
		if (ownOptional === undefined && classOptional === undefined) return undefined;
	}
	const permissions = new Set([
		...(base.permissions ?? []),
		...(classPermissions ?? []),
		...(ownPermissions ?? []),
	]);
	return {
		permissions: permissions.size === 0 ? undefined : [...permissions],
		anyPermission: ownAny ?? classAny ?? base.anyPermission,
		optional: ownOptional ?? classOptional ?? base.optional,
	};
}
