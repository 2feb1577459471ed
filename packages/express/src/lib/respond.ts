import {
	type AdapterSettings,
	type ChallengeSettings,
	type ErrorResponse,
	errorAnswer,
	GuardSetupError,
	stampChallenge,
} from "@bearerguard/core";
import type { NextFunction, Request, Response } from "express";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (error: unknown, req: Request, res: Response, next: NextFunction) => void;

const kResponder = Symbol("bearerguard.responder");
type LocalsWithResponder = Record<PropertyKey, unknown> & { [kResponder]?: Responder };

/**
 * Remembers in `res.locals` how its `requireAuth` answers failures, for `requirePermissions` after it.
 * `res.locals` is a plain object made per request: writing and reading it is cheap, unlike `req`, whose
 * missing properties are looked up along Express's and Node's prototype chain.
 */
export function setResponder(res: Response, responder: Responder): void {
	(res.locals as LocalsWithResponder)[kResponder] = responder;
}

/** The responder of the request's `requireAuth`, if one ran. */
export function getResponder(res: Response): Responder | undefined {
	return (res.locals as LocalsWithResponder | undefined)?.[kResponder];
}

/**
 * Creates the failure handler: `next(error)` for `errorHandling: 'framework'` and for a guard set up
 * so it cannot work (a `GuardSetupError`, whatever the setting), else the contract's answer
 * (`toErrorResponse`), written as is so Express adds no charset, with `onError`'s body if any.
 */
function buildResponder(
	settings: Pick<AdapterSettings<Request>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, req, res, next) {
		stampChallenge(error, challenge);
		if (framework || res.headersSent || error instanceof GuardSetupError) {
			next(error);
			return;
		}
		let answer: ErrorResponse;
		try {
			answer = errorAnswer(error, challenge, onError, req);
		} catch (hookError) {
			next(hookError);
			return;
		}
		res.writeHead(answer.status, answer.headers).end(answer.body);
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
	settings: Pick<AdapterSettings<Request>, "onError" | "framework">,
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
