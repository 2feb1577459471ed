import type { AuthResult } from "@bearerguard/core";
import {
	applyDecorators,
	type CustomDecorator,
	createParamDecorator,
	type ExecutionContext,
	SetMetadata,
	UseGuards,
} from "@nestjs/common";
import { guardPresence } from "./lib/guard-presence.js";
import { METADATA } from "./lib/metadata.js";
import type { AuthenticatedRequest } from "./options.js";

/** RFC 6750 scope-token characters: what a permission may be made of. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function permissionNames(permissions: readonly string[], decorator: string): readonly string[] {
	if (permissions.length === 0 || !permissions.every((p) => typeof p === "string" && SCOPE_TOKEN.test(p))) {
		throw new TypeError(
			`bearerguard: @${decorator}() takes one or more permission names without spaces, quotes or backslashes, such as @${decorator}('write').`,
		);
	}
	return Object.freeze([...permissions]);
}

/**
 * The metadata of a permission decorator, and the check that a `BearerGuard` guards the route it is
 * on: permissions on a route that no guard checks are a programming error, never an open route.
 */
function permissionDecorator(key: string, names: readonly string[]): CustomDecorator<string> {
	const decorator = applyDecorators(SetMetadata(key, names), UseGuards(guardPresence));
	return Object.assign(decorator, { KEY: key });
}

/**
 * Requires every one of `permissions` of the verified token (else a 403 `insufficient_scope` naming
 * them). On a controller, every route requires them, together with those of the route's own decorator.
 * A `BearerGuard` checks them (global, or bound with `@UseGuards`); on a route that none guards, every
 * request is a programming error (a `GuardSetupError` for Nest's exception layer, Nest's 500).
 *
 * @example
 * ```ts
 * @Delete(':id')
 * @RequirePermissions('delete')
 * remove(@Param('id') id: string) {}
 * ```
 */
export function RequirePermissions(...permissions: string[]): CustomDecorator<string> {
	return permissionDecorator(METADATA.permissions, permissionNames(permissions, "RequirePermissions"));
}

/**
 * Requires at least one of `permissions` (else a 403 whose `scope` lists them all). A route's own
 * `@AnyPermission` replaces its controller's. Like `@RequirePermissions`, it needs a `BearerGuard`.
 *
 * @example
 * ```ts
 * @Get('reports')
 * @AnyPermission('admin', 'auditor')
 * reports() {}
 * ```
 */
export function AnyPermission(...permissions: string[]): CustomDecorator<string> {
	return permissionDecorator(METADATA.anyPermission, permissionNames(permissions, "AnyPermission"));
}

/**
 * Opens a route (or every route of a controller) to requests without credentials: the guard neither
 * reads nor checks a token there, and `@Auth()` is `undefined`. A controller's `@Public()` does not open
 * a route that declares permissions of its own.
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() { return { status: 'ok' } }
 * ```
 */
export function Public(): CustomDecorator<string> {
	return SetMetadata(METADATA.public, true);
}

/**
 * Lets a request without any credentials through with no `auth`; a bad token still fails. It is the
 * other adapters' guard option `optional`, with the same rules.
 *
 * @example
 * ```ts
 * @OptionalAuth()
 * @Get('catalog')
 * catalog(@Auth() auth: AuthResult | undefined) {}
 * ```
 */
export function OptionalAuth(): CustomDecorator<string> {
	return SetMetadata(METADATA.optional, true);
}

/**
 * A parameter decorator for the verified token (`AuthResult`), or one of its fields: `@Auth()`,
 * `@Auth('subject')`. `undefined` on `@Public()` routes and for `@OptionalAuth()` without credentials.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@Auth() auth: AuthResult, @Auth('organization') organization: string | undefined) {
 *   return { subject: auth.subject, organization }
 * }
 * ```
 */
export const Auth: (field?: keyof AuthResult) => ParameterDecorator = createParamDecorator(
	(field: keyof AuthResult | undefined, context: ExecutionContext) => {
		const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
		return field === undefined ? auth : auth?.[field];
	},
);
