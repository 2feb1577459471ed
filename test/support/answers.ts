import { GuardSetupError } from "@bearerguard/core";
import { expect } from "vitest";
import type { AdapterName, TestApp } from "./apps.js";
import type { HttpAnswer } from "./http.js";

/** What a request expects: a failure of the contract (exact error, message, challenge) or a success. */
export type Expected =
	| {
			readonly status: 400 | 401 | 403 | 503;
			readonly error: string;
			readonly message: string;
			/** The exact `WWW-Authenticate`, or `null` for none. */
			readonly challenge: string | null;
	  }
	| { readonly status: 200; readonly auth: Record<string, unknown> | null };

/** The challenge of a failure with an error code (realm `api` unless given). */
export const challenge = (error: string, message: string, scope?: string, realm = "api") =>
	`Bearer realm="${realm}", error="${error}", error_description="${message}"${scope === undefined ? "" : `, scope="${scope}"`}`;

export const invalidToken = (message: string): Expected => ({
	status: 401,
	error: "invalid_token",
	message,
	challenge: challenge("invalid_token", message),
});

export const invalidRequest = (message: string): Expected => ({
	status: 400,
	error: "invalid_request",
	message,
	challenge: challenge("invalid_request", message),
});

export const insufficientScope = (scope: string, realm = "api"): Expected => ({
	status: 403,
	error: "insufficient_scope",
	message: "Insufficient permissions for the requested operation",
	challenge: challenge(
		"insufficient_scope",
		"Insufficient permissions for the requested operation",
		scope,
		realm,
	),
});

export const noCredentials = (realm = "api"): Expected => ({
	status: 401,
	error: "invalid_token",
	message: "Missing bearer token",
	challenge: `Bearer realm="${realm}"`,
});

export const ok = (auth: Record<string, unknown> | null): Expected => ({ status: 200, auth });

/** Checks an answer against the contract: status, the four headers, the exact body. */
export function checkAnswer(answer: HttpAnswer, expected: Expected): void {
	expect(answer.status).toBe(expected.status);
	if (expected.status === 200) {
		expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
		const body = JSON.parse(answer.body) as { auth: Record<string, unknown> | null };
		if (expected.auth === null) expect(body).toEqual({ auth: null });
		else expect(body.auth).toMatchObject(expected.auth);
		return;
	}
	expect(answer.headers["content-type"]).toBe("application/json");
	expect(answer.headers["cache-control"]).toBe("no-store");
	expect(answer.headers["www-authenticate"]).toBe(expected.challenge ?? undefined);
	expect(answer.headers["retry-after"]).toBeUndefined();
	expect(answer.body).toBe(JSON.stringify({ error: expected.error, message: expected.message }));
}

/**
 * What each framework's own error handling answers for an error of status 500 with `expose: false`:
 * Express's final handler (in production) and Koa's `ctx.onerror` show nothing of it; Fastify's default
 * error handler sends the message of any error.
 */
const GENERIC_500: Readonly<Record<AdapterName, { contentType: string; body: (text: string) => void }>> = {
	express5: {
		contentType: "text/html; charset=utf-8",
		body: (text) => expect(text).toContain("<pre>Internal Server Error</pre>"),
	},
	express4: {
		contentType: "text/html; charset=utf-8",
		body: (text) => expect(text).toContain("<pre>Internal Server Error</pre>"),
	},
	koa: {
		contentType: "text/plain; charset=utf-8",
		body: (text) => expect(text).toBe("Internal Server Error"),
	},
	// Fastify's default error handler sends the message of every error, 500s included (its own choice).
	fastify: { contentType: "application/json; charset=utf-8", body: () => undefined },
	// Nest's base exception filter answers an error that is not an HttpException (and has no statusCode) so.
	"nest-express": {
		contentType: "application/json; charset=utf-8",
		body: (text) => expect(text).toBe('{"statusCode":500,"message":"Internal server error"}'),
	},
	"nest-fastify": {
		contentType: "application/json; charset=utf-8",
		body: (text) => expect(text).toBe('{"statusCode":500,"message":"Internal server error"}'),
	},
	// Hono's default error handler (the test app records, then hands every error to it).
	hono: {
		contentType: "text/plain; charset=UTF-8",
		body: (text) => expect(text).toBe("Internal Server Error"),
	},
};

/** A programming error's message: NestJS words its own (`BearerGuard`, the decorators, the route). */
export interface SetupMessage {
	readonly nest: string;
	readonly other: string;
}

/**
 * Checks that a request failed as a programming error: the framework's error handling got exactly one
 * `GuardSetupError` with `message` (since `errorsBefore`), and the client the framework's own 500.
 */
export function checkProgrammingError(
	app: TestApp,
	answer: HttpAnswer,
	errorsBefore: number,
	messages: SetupMessage,
): void {
	const message = app.name.startsWith("nest-") ? messages.nest : messages.other;
	expect(answer.status).toBe(500);
	expect(answer.headers["www-authenticate"]).toBeUndefined();
	expect(answer.headers["content-type"]).toBe(GENERIC_500[app.name].contentType);
	GENERIC_500[app.name].body(answer.body);
	if (app.name === "fastify") {
		expect(answer.body).toBe(JSON.stringify({ statusCode: 500, error: "Internal Server Error", message }));
	} else {
		expect(answer.body).not.toContain("bearerguard");
	}
	const errors = app.errors.slice(errorsBefore);
	expect(errors).toHaveLength(1);
	expect(errors[0]).toBeInstanceOf(GuardSetupError);
	expect((errors[0] as Error).message).toBe(message);
}

/** What makes a route guarded, in the NestJS adapter's messages. */
const NEST_GUARD_IT =
	"guard the app with BearerGuardModule.forRoot({ issuer, audience, globalGuard: true }), or the controller or the route with @UseGuards(BearerGuard)";

/**
 * The message of a guard with only guard options that nothing configures and nothing precedes (on
 * NestJS, `new BearerGuard({ ... })` on the test apps' `RouteController.handle`).
 */
export const NOTHING_CONFIGURED: SetupMessage = {
	other:
		"bearerguard: requireAuth() has only guard options, nothing configures a verifier (no issuer or audience in code, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no requireAuth before it verified this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())), or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.",
	nest: `bearerguard: a BearerGuard with only guard options guards RouteController.handle, nothing configures a verifier (no issuer or audience in its options, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no BearerGuard before it verified this request: ${NEST_GUARD_IT} before it, or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.`,
};

/** The message of `requirePermissions(...)` (NestJS: `@RequirePermissions(...)`) with no guard before it. */
export const permissionsAlone = (...names: string[]): SetupMessage => {
	const list = names.map((name) => `'${name}'`).join(", ");
	return {
		other: `bearerguard: requirePermissions(${list}) ran with no requireAuth before it on this request: add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth())).`,
		nest: `bearerguard: @RequirePermissions(${list}) on RouteController.handle, but no BearerGuard checked this request: ${NEST_GUARD_IT}.`,
	};
};
