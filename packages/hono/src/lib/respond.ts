import {
	type AdapterSettings,
	BearerError,
	type ChallengeSettings,
	errorAnswer,
	GuardSetupError,
	stampChallenge,
	toErrorResponse,
} from "@bearerguard/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, c: Context) => Response;

/** The variable that marks a request a `requireAuth` let through; no app code holds its key. */
const kResponder = Symbol("bearerguard.responder");

/** `c.set`/`c.get` for the marker (Hono types variable names as strings; its `Map` takes any key). */
interface MarkerVariables {
	set(key: typeof kResponder, responder: Responder): void;
	get(key: typeof kResponder): Responder | undefined;
}

/**
 * Marks the request as let through by a `requireAuth`, and remembers how that one answers failures,
 * for a `requireAuth` with only guard options or a `requirePermissions` after it. It is one more
 * entry in the variables `Map` that `c.set('auth', ...)` makes anyway.
 */
export function setResponder(c: Context, responder: Responder): void {
	(c as unknown as MarkerVariables).set(kResponder, responder);
}

/** The responder of the request's `requireAuth`, or `undefined` when none let it through. */
export function getResponder(c: Context): Responder | undefined {
	return (c as unknown as MarkerVariables).get(kResponder);
}

/**
 * The error Hono's error handling gets for `errorHandling: 'framework'`: an `HTTPException` whose `res`
 * is the contract's answer and whose `cause` is the `BearerError` (Hono's default `onError` sends `res`).
 * An error that is not bearerguard's is thrown as it is.
 */
function toHttpException(error: unknown): unknown {
	if (!(error instanceof BearerError)) return error;
	const answer = toErrorResponse(error);
	const status = answer.status as ContentfulStatusCode;
	const res = new Response(answer.body, { status, headers: answer.headers });
	return new HTTPException(status, { res, message: error.message, cause: error });
}

/**
 * Creates the failure handler: the contract's answer (`toErrorResponse`) with `onError`'s body if any,
 * or, for `errorHandling: 'framework'`, a thrown `HTTPException`. A guard set up so it cannot work (a
 * `GuardSetupError`) is thrown as it is to Hono's `onError`, whatever the setting (Hono's default
 * answers a plain 500). A throwing `onError` goes on to Hono's `onError`.
 */
function buildResponder(
	settings: Pick<AdapterSettings<Context>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, c) {
		stampChallenge(error, challenge);
		if (error instanceof GuardSetupError) throw error;
		if (framework) throw toHttpException(error);
		const answer = errorAnswer(error, challenge, onError, c);
		return c.body(answer.body, answer.status as ContentfulStatusCode, answer.headers);
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
