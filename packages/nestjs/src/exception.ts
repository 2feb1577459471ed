import { type BearerError, type ErrorResponse, toErrorResponse } from "@bearerguard/core";
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from "@nestjs/common";
import { type PlatformResponse, writeAnswer } from "./lib/respond.js";

/**
 * What the guard throws with `errorHandling: 'framework'`: an `HttpException` with the contract's status
 * and body (`{ error, message }`), the `BearerError` as its `cause`, and the answer's `headers`
 * (`WWW-Authenticate`, `Retry-After`, ...), which Nest's default filter does not send: use
 * {@link BearerExceptionFilter} (or read them in your own filter) to answer byte for byte.
 *
 * @example
 * ```ts
 * if (exception instanceof BearerHttpException) logger.info({ reason: exception.cause.reason })
 * ```
 */
export class BearerHttpException extends HttpException {
	/** The error the guard refused the request with. */
	declare readonly cause: BearerError;
	/** The contract's full answer: status, headers and body bytes. */
	readonly answer: ErrorResponse;
	/** The answer's headers, lower-case names. */
	readonly headers: Readonly<Record<string, string>>;

	constructor(error: BearerError) {
		const answer = toErrorResponse(error);
		super({ error: error.code, message: error.message }, answer.status, { cause: error });
		this.answer = answer;
		this.headers = answer.headers;
	}
}

/**
 * An exception filter that answers a {@link BearerHttpException} with the contract's exact status,
 * headers and body, on Nest's Express and Fastify platforms alike.
 *
 * @example
 * ```ts
 * app.useGlobalFilters(new BearerExceptionFilter())
 * ```
 */
@Catch(BearerHttpException)
export class BearerExceptionFilter implements ExceptionFilter<BearerHttpException> {
	catch(exception: BearerHttpException, host: ArgumentsHost): void {
		writeAnswer(host.switchToHttp().getResponse<PlatformResponse>(), exception.answer);
	}
}
