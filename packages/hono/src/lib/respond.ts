import {
	type AdapterSettings,
	BearerError,
	type ChallengeSettings,
	errorAnswer,
	stampChallenge,
	toErrorResponse,
} from "@bearerguard/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, c: Context) => Response;

/** The responder of a request's `requireAuth`, kept only when it is not the default one. */
const responders = new WeakMap<Context, Responder>();

/** Remembers how the request's `requireAuth` answers failures, for a `requirePermissions` after it. */
export function setResponder(c: Context, responder: Responder): void {
	if (responder !== defaultResponder) responders.set(c, responder);
}

/** The responder of the request's `requireAuth`, or the default one. */
export function getResponder(c: Context): Responder {
	return responders.get(c) ?? defaultResponder;
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
 * or, for `errorHandling: 'framework'`, a thrown `HTTPException`. A throwing `onError` goes on to Hono's
 * `onError`.
 */
function buildResponder(
	settings: Pick<AdapterSettings<Context>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, c) {
		stampChallenge(error, challenge);
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
