/**
 * The authentication event: built only on the traced path, which a guard or `verify` takes when
 * `bearerguard:authenticate` has subscribers (checked once per request; otherwise nothing here runs).
 */
import type { CredentialScheme } from "../http/challenge.js";
import { BearerError } from "../http/errors.js";
import type { AuthResult } from "../types.js";
import { authenticateChannel } from "./channels.js";
import type { AuthenticateEvent, AuthenticateOutcome } from "./event-types.js";

/** What the traced path learns while it runs, filled by the guard. */
export interface AuthTrace {
	/** The credential's value, once the request's credential was found (never published). */
	token: string | undefined;
	/** How the request presented it. */
	scheme: CredentialScheme | undefined;
}

/** What the verifier lends the traced path. */
export interface AuthTraceContext {
	/** The verified-token cache's hit counter, when the cache is on. */
	readonly cache: { readonly hits: number } | undefined;
	/** The token's unverified `iss`, only when it is one of the configured issuers. */
	issuerOf(token: string): string | undefined;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
	return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function outcomeOf(error: unknown): AuthenticateOutcome {
	if (!(error instanceof BearerError)) return "error";
	return error.status === 503 ? "unavailable" : "refused";
}

function succeeded(trace: AuthTrace, auth: AuthResult | undefined, hit: boolean, start: number): void {
	const event: AuthenticateEvent = {
		outcome: auth === undefined ? "anonymous" : "authenticated",
		reason: undefined,
		status: undefined,
		scheme: auth?.scheme ?? trace.scheme,
		source: auth?.source,
		issuer: auth?.issuer,
		subject: auth?.subject,
		cacheHit: hit,
		duration: performance.now() - start,
		error: undefined,
	};
	authenticateChannel.publish(event);
}

function failed(
	trace: AuthTrace,
	error: unknown,
	hit: boolean,
	start: number,
	context: AuthTraceContext,
): void {
	const bearer = error instanceof BearerError ? error : undefined;
	const missing = bearer?.reason === "token_missing";
	const event: AuthenticateEvent = {
		outcome: outcomeOf(error),
		reason: bearer?.reason,
		status: bearer === undefined ? 500 : bearer.status,
		scheme: missing ? undefined : (bearer?.scheme ?? trace.scheme),
		source: undefined,
		issuer: trace.token === undefined ? undefined : context.issuerOf(trace.token),
		subject: undefined,
		cacheHit: hit,
		duration: performance.now() - start,
		error: error instanceof Error ? error : undefined,
	};
	authenticateChannel.publish(event);
}

/**
 * Runs one authentication and publishes its {@link AuthenticateEvent}, keeping a synchronous answer
 * synchronous. `run` throws (or rejects with) the error the caller would have thrown; it is rethrown
 * unchanged. Call it only when `authenticateChannel.hasSubscribers`.
 */
export function traceAuthentication<T extends AuthResult | undefined>(
	run: (trace: AuthTrace) => T | Promise<T>,
	context: AuthTraceContext,
	scheme: CredentialScheme | undefined,
): T | Promise<T> {
	const start = performance.now();
	const trace: AuthTrace = { token: undefined, scheme };
	const hitsBefore = context.cache?.hits ?? 0;
	let result: T | Promise<T>;
	try {
		result = run(trace);
	} catch (error) {
		failed(trace, error, (context.cache?.hits ?? 0) !== hitsBefore, start, context);
		throw error;
	}
	// The cache is consulted synchronously, before any wait: whether it answered is known now.
	const hit = (context.cache?.hits ?? 0) !== hitsBefore;
	if (!isPromise(result)) {
		succeeded(trace, result, hit, start);
		return result;
	}
	return result.then(
		(auth) => {
			succeeded(trace, auth, hit, start);
			return auth;
		},
		(error: unknown) => {
			failed(trace, error, hit, start, context);
			throw error;
		},
	);
}
