import { GuardSetupError } from "@bearerguard/core";
import type { CanActivate, ExecutionContext } from "@nestjs/common";
import { GUARDS_METADATA } from "@nestjs/common/constants.js";
import { BearerGuard } from "../bearer-guard.js";
import { routeGuardOptions } from "./route-options.js";
import { routeName, unguardedMessage } from "./setup-errors.js";
import { passedBy } from "./upstream.js";

/** Whether the guards bound to a controller or a method (`@UseGuards`) include a `BearerGuard`. */
function boundBearerGuard(target: object): boolean {
	const guards = Reflect.getMetadata(GUARDS_METADATA, target) as readonly unknown[] | undefined;
	return (
		guards?.some(
			(guard) =>
				guard instanceof BearerGuard ||
				(typeof guard === "function" && (guard === BearerGuard || guard.prototype instanceof BearerGuard)),
		) === true
	);
}

/**
 * The guard that `@RequirePermissions` and `@AnyPermission` bind beside their metadata: a route that
 * declares permissions must be guarded by a `BearerGuard` (it checks them), else every request is a
 * programming error (a `GuardSetupError` to Nest's exception layer), never a route left open. It checks
 * nothing else and lets the request through.
 */
class GuardPresenceCheck implements CanActivate {
	/** Per route: `true` when a `BearerGuard` is bound to it or it is `@Public()`, else the error's message. */
	readonly #routes = new WeakMap<object, true | string>();

	canActivate(context: ExecutionContext): boolean {
		// A BearerGuard before it (global, or the controller's) let the request through: one property read.
		if (passedBy(context.getArgByIndex(0)) !== undefined) return true;
		const handler = context.getHandler();
		let route = this.#routes.get(handler);
		if (route === undefined) {
			route = this.#plan(handler, context.getClass());
			this.#routes.set(handler, route);
		}
		if (route === true) return true;
		throw new GuardSetupError(route);
	}

	/** A `BearerGuard` bound to the route may run after this check (a controller's decorators run first). */
	#plan(handler: object, controller: { readonly name: string }): true | string {
		const declared = routeGuardOptions(handler, controller, {});
		if (declared === "public" || declared === undefined) return true;
		if (boundBearerGuard(handler) || boundBearerGuard(controller)) return true;
		return unguardedMessage(declared, routeName(controller, handler as { readonly name: string }));
	}
}

/** The one instance the decorators bind (it holds no request state). */
export const guardPresence: CanActivate = new GuardPresenceCheck();
