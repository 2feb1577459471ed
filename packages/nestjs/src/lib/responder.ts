import {
	type AdapterSettings,
	BearerError,
	type ChallengeSettings,
	errorAnswer,
	GuardSetupError,
	stampChallenge,
} from "@bearerguard/core";
import { BearerHttpException } from "../exception.js";
import type { AuthenticatedRequest } from "../options.js";
import { type PlatformResponse, writeAnswer } from "./respond.js";

/**
 * Answers a failure the way one `BearerGuard` was configured to; what `canActivate` returns then (a
 * promise that never settles), or it throws to Nest's exception layer.
 */
export type Responder = (
	error: unknown,
	request: AuthenticatedRequest,
	response: PlatformResponse,
) => Promise<boolean>;

/**
 * Creates the failure handler of one guard. It answers the failure itself, then leaves Nest's pipeline
 * waiting on a promise that never settles (as a middleware that answers and never calls `next()`), so
 * no filter answers again. With `errorHandling: 'framework'` it throws a `BearerHttpException` instead.
 * A guard set up so it cannot work (a `GuardSetupError`) is thrown as it is, whatever the setting: Nest's
 * default filter answers its generic 500. A throwing `onError` goes to Nest's filters.
 */
export function createResponder(
	settings: Pick<AdapterSettings<AuthenticatedRequest>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, request, response) {
		stampChallenge(error, challenge);
		if (error instanceof GuardSetupError) throw error;
		if (framework) throw error instanceof BearerError ? new BearerHttpException(error) : error;
		writeAnswer(response, errorAnswer(error, challenge, onError, request));
		return new Promise<boolean>(() => {});
	};
}
