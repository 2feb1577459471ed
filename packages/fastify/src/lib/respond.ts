import {
	type AdapterSettings,
	type ChallengeSettings,
	type ErrorResponse,
	errorAnswer,
	GuardSetupError,
	stampChallenge,
} from "@bearerguard/core";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

/** Answers a failure the way one `requireAuth` was configured to. */
export type Responder = (
	error: unknown,
	request: FastifyRequest,
	reply: FastifyReply,
	done: HookHandlerDoneFunction,
) => void;

/**
 * Creates the failure handler: `done(error)` for `errorHandling: 'framework'` and for a hook set up so
 * it cannot work (a `GuardSetupError`, whatever the setting; Fastify's error handler reads
 * `statusCode` and `headers`), else the contract's answer (`toErrorResponse`) with `onError`'s body if
 * any. The body is sent as a Buffer, so Fastify adds no charset to `application/json`.
 */
export function createResponder(
	settings: Pick<AdapterSettings<FastifyRequest>, "onError" | "framework">,
	challenge: ChallengeSettings,
): Responder {
	const { onError, framework } = settings;
	return function respond(error, request, reply, done) {
		stampChallenge(error, challenge);
		if (framework || error instanceof GuardSetupError) {
			done(error instanceof Error ? error : new Error(String(error)));
			return;
		}
		let answer: ErrorResponse;
		try {
			answer = errorAnswer(error, challenge, onError, request);
		} catch (hookError) {
			done(hookError instanceof Error ? hookError : new Error(String(hookError)));
			return;
		}
		reply.code(answer.status).headers(answer.headers).send(Buffer.from(answer.body));
	};
}
