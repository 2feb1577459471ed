import { type AdapterSettings, BearerError, errorBody, toErrorResponse } from "@bearerguard/core";
import type { Context } from "koa";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, ctx: Context) => void;

const kResponder = Symbol("bearerguard.responder");
type WithResponder = Context & { [kResponder]?: Responder };

/** Remembers on the context how its `requireAuth` answers failures, for `requirePermissions` after it. */
export function setResponder(ctx: Context, responder: Responder): void {
	// The common case (default settings) stores nothing: requirePermissions falls back to the default.
	if (responder === defaultResponder && getResponder(ctx) === undefined) return;
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
function buildResponder(settings: Pick<AdapterSettings, "onError" | "framework">, realm: string): Responder {
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
export const defaultResponder: Responder = buildResponder({ onError: undefined, framework: false }, "api");

/** The failure handler of one `requireAuth`: the shared default one when its settings are the defaults. */
export function createResponder(
	settings: Pick<AdapterSettings, "onError" | "framework">,
	realm: string,
): Responder {
	const isDefault = settings.onError === undefined && !settings.framework && realm === "api";
	return isDefault ? defaultResponder : buildResponder(settings, realm);
}
