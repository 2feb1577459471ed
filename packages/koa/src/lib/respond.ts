import {
	type AdapterSettings,
	type ChallengeSettings,
	errorAnswer,
	GuardSetupError,
	stampChallenge,
} from "@bearerguard/core";
import type { Context } from "koa";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, ctx: Context) => void;

const kResponder = Symbol("bearerguard.responder");
type StateWithResponder = Record<PropertyKey, unknown> & { [kResponder]?: Responder };

/**
 * Remembers in `ctx.state` how its `requireAuth` answers failures, for `requirePermissions` after it.
 * `ctx.state` is a plain object made per request: writing and reading it is cheap, unlike `ctx` itself,
 * whose missing properties are looked up along Koa's prototype chain.
 */
export function setResponder(ctx: Context, responder: Responder): void {
	(ctx.state as StateWithResponder)[kResponder] = responder;
}

/** The responder of the context's `requireAuth`, if one ran. */
export function getResponder(ctx: Context): Responder | undefined {
	return (ctx.state as StateWithResponder)[kResponder];
}

/**
 * Creates the failure handler: rethrow for `errorHandling: 'framework'` and for a guard set up so it
 * cannot work (a `GuardSetupError`, whatever the setting; Koa's `ctx.onerror` reads `status`, `expose`
 * and `headers`), else the contract's answer (`toErrorResponse`) with `onError`'s body if any. Headers
 * are set after the body, so Koa's own `text/plain` does not stay.
 */
function buildResponder(
	settings: Pick<AdapterSettings<Context>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, ctx) {
		stampChallenge(error, challenge);
		if (framework || error instanceof GuardSetupError) throw error;
		const answer = errorAnswer(error, challenge, onError, ctx);
		ctx.status = answer.status;
		ctx.body = answer.body;
		ctx.set(answer.headers);
	};
}

const DEFAULT_CHALLENGE: ChallengeSettings = Object.freeze({ realm: "api" });

/** The responder of a `requirePermissions` that runs without a `requireAuth` before it. */
export const defaultResponder: Responder = buildResponder(
	{ onError: undefined, framework: false },
	DEFAULT_CHALLENGE,
);

/** The failure handler of one `requireAuth`: the shared default one when its settings are the defaults. */
export function createResponder(
	settings: Pick<AdapterSettings<Context>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const isDefault =
		settings.onError === undefined &&
		!settings.framework &&
		challenge.realm === "api" &&
		challenge.dpop === undefined &&
		challenge.resourceMetadata === undefined;
	return isDefault ? defaultResponder : buildResponder(settings, challenge);
}
