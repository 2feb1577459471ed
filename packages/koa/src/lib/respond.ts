import { type AdapterSettings, BearerError, errorBody, toErrorResponse } from "@bearerguard/core";
import type { Context } from "koa";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, ctx: Context) => void;

const kResponder = Symbol("bearerguard.responder");
type WithResponder = Context & { [kResponder]?: Responder };

/** Remembers on the context how its `requireAuth` answers failures, for `requirePermissions` after it. */
export function setResponder(ctx: Context, responder: Responder): void {
	(ctx as WithResponder)[kResponder] = responder;
}

/** The responder of the context's `requireAuth`, if one ran. */
export function getResponder(ctx: Context): Responder | undefined {
	return (ctx as WithResponder)[kResponder];
}

/**
 * Creates the failure handler: rethrow for `errorHandling: 'framework'` (Koa's `ctx.onerror` reads
 * `status`, `expose` and `headers`), else the contract's answer (`toErrorResponse`) with `onError`'s
 * body if any. Headers are set after the body, so Koa's own `text/plain` does not stay.
 */
export function createResponder(
	settings: Pick<AdapterSettings, "onError" | "framework">,
	realm: string,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, ctx) {
		if (error instanceof BearerError && error.realm !== realm) error.realm = realm;
		if (framework) throw error;
		const response = toErrorResponse(error, { realm });
		let body = response.body;
		if (onError !== undefined && error instanceof BearerError) {
			body = errorBody(onError(error, response), body);
		}
		ctx.status = response.status;
		ctx.body = body;
		ctx.set(response.headers);
	};
}

/** The responder of a `requirePermissions` that runs without a `requireAuth` before it. */
export const defaultResponder: Responder = createResponder({ onError: undefined, framework: false }, "api");
