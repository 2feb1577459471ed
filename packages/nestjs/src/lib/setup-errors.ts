/**
 * The programming errors of the NestJS adapter, in Nest's words: a `BearerGuard` that nothing
 * configures with no `BearerGuard` before it, and permission decorators on a route no `BearerGuard`
 * guards. Each is a `GuardSetupError` for Nest's exception layer (the client gets Nest's generic 500).
 */
import { type GuardCheck, type GuardOptions, GuardSetupError } from "@bearerguard/core";

/** What makes a route guarded, in Nest's words. */
const GUARD_IT =
	"guard the app with BearerGuardModule.forRoot({ issuer, audience, globalGuard: true }), or the controller or the route with @UseGuards(BearerGuard)";

/** A route as `Controller.method`, for the messages. */
export const routeName = (controller: { readonly name: string }, handler: { readonly name: string }) =>
	`${controller.name}.${handler.name}`;

/**
 * The check of a `BearerGuard` with only guard options and nothing configured, on a request that no
 * `BearerGuard` before it let through: a `GuardSetupError` naming the route and what to add.
 */
export function unconfiguredCheck(route: string): GuardCheck {
	const message = `a BearerGuard with only guard options guards ${route}, nothing configures a verifier (no issuer or audience in its options, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no BearerGuard before it verified this request: ${GUARD_IT} before it, or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.`;
	return function unconfigured(): never {
		throw new GuardSetupError(message);
	} as GuardCheck;
}

const quoted = (names: readonly string[]) => names.map((name) => `'${name}'`).join(", ");

/** The message for permission decorators on a route that no `BearerGuard` guards. */
export function unguardedMessage(declared: GuardOptions, route: string): string {
	const decorators: string[] = [];
	if (declared.permissions) decorators.push(`@RequirePermissions(${quoted(declared.permissions)})`);
	if (declared.anyPermission) decorators.push(`@AnyPermission(${quoted(declared.anyPermission)})`);
	return `${decorators.join(" and ")} on ${route}, but no BearerGuard checked this request: ${GUARD_IT}.`;
}
