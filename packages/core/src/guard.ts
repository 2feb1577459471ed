/**
 * A guard, compiled once per `requireAuth`: per request, find the credential, verify it, check the
 * route's permissions. Synchronous when the verifier can answer at once (a cached token).
 */
import { checkPermissionList, checkRequirement } from "./authorize.js";
import { checkOptionNames } from "./config/option-names.js";
import { type AuthTrace, traceAuthentication } from "./events/authenticate.js";
import { authenticateChannel } from "./events/channels.js";
import type { CredentialScheme } from "./http/challenge.js";
import { BearerError, invalidToken } from "./http/errors.js";
import { plainReader, type RequestReader } from "./http/request.js";
import { stampApiKeyAnswer } from "./schemes/api-key-source.js";
import { readCredential } from "./schemes/credentials.js";
import type { AuthResult, GuardOptions, RequestLike, VerifyContext } from "./types.js";
import type { VerifierInternals } from "./verifier.js";

/**
 * The per-request check of a compiled guard: a result, or a promise of one; throws (or rejects with) a
 * `BearerError`. `undefined` only for an `optional` guard and a request without credentials.
 */
export interface GuardCheck {
	/** Checks a plain `{ headers, query?, body? }` request. */
	(request: RequestLike): AuthResult | undefined | Promise<AuthResult | undefined>;
	/** Checks a framework's request through its reader. */
	<R>(request: R, reader: RequestReader<R>): AuthResult | undefined | Promise<AuthResult | undefined>;
}

/** Checks the `optional` guard option: `true` or `false` (default). */
export function checkOptional(value: unknown): boolean {
	if (value === undefined) return false;
	if (typeof value !== "boolean") throw new TypeError('bearerguard: "optional" must be true or false.');
	return value;
}

/** Compiles guard options (a bad one is a `TypeError` now) into the per-request check. */
export function compileGuard(verifier: VerifierInternals, guardOptions: GuardOptions = {}): GuardCheck {
	checkOptionNames(guardOptions, "guard");
	const permissions = checkPermissionList(guardOptions.permissions, "permissions");
	const anyPermission = checkPermissionList(guardOptions.anyPermission, "anyPermission");
	const checksPermissions = permissions !== undefined || anyPermission !== undefined;
	// Only a verified credential can meet a guard that requires permissions: `optional` never opens it.
	const optional = checkOptional(guardOptions.optional) && !checksPermissions;
	const requirement = { permissions, anyPermission };
	const { options, fail } = verifier;
	const organizationHeader = options.organization?.header;
	const allowed = (auth: AuthResult) => {
		if (checksPermissions) checkRequirement(auth, requirement);
		return auth;
	};
	// Every answer to a request with an API key says so (scheme) and carries the key's deprecation headers.
	const keyHeaders = options.apiKeys?.answerHeaders;
	const failKey = (error: unknown): never => fail(stampApiKeyAnswer(error, keyHeaders));
	// Every failure of a DPoP request is answered with the DPoP challenge.
	const failDpop = (error: unknown): never => {
		if (error instanceof BearerError) error.scheme = "DPoP";
		return fail(error);
	};
	const bind = verifier.bind;

	/** An API key: verified, then the route's permissions; every failure stamped as a key request's. */
	function checkApiKey(key: string, context: VerifyContext | undefined): AuthResult | Promise<AuthResult> {
		try {
			const auth = verifier.verifyApiKey(key, context);
			return auth instanceof Promise ? auth.then(allowed, failKey) : allowed(auth);
		} catch (error) {
			return failKey(error);
		}
	}

	/** The token's binding (DPoP proof, client certificate), then the route's permissions. */
	function boundAndAllowed<R>(
		auth: AuthResult,
		scheme: "Bearer" | "DPoP",
		request: R,
		reader: RequestReader<R>,
	): AuthResult | Promise<AuthResult> {
		const bound = bind(auth, scheme, request, reader);
		return bound instanceof Promise ? bound.then(allowed) : allowed(bound);
	}

	/** Extract, verify, authorize: synchronous when the token is cached and the custom checks are. */
	function check<R>(
		request: R,
		reader: RequestReader<R>,
		trace: AuthTrace | undefined,
	): AuthResult | undefined | Promise<AuthResult | undefined> {
		let scheme: CredentialScheme | undefined;
		try {
			const credential = readCredential(request, reader, options);
			scheme = credential?.scheme;
			if (credential === undefined) {
				if (optional) return undefined;
				throw invalidToken("token_missing");
			}
			if (trace !== undefined) {
				// An API key is never handed to the events' code, even unpublished.
				trace.token = credential.scheme === "ApiKey" ? undefined : credential.value;
				trace.scheme = credential.scheme;
			}
			const context: VerifyContext | undefined =
				organizationHeader === undefined
					? undefined
					: { organization: reader.headers(request)[organizationHeader] };
			if (credential.scheme === "ApiKey") return checkApiKey(credential.value, context);
			const auth = verifier.verifyToken(credential.value, context, credential.fromHeader);
			if (credential.scheme === "DPoP") {
				// A cached token is verified synchronously, but the replay store may still answer with a promise.
				const bound =
					auth instanceof Promise
						? auth.then((verified) => boundAndAllowed(verified, "DPoP", request, reader))
						: boundAndAllowed(auth, "DPoP", request, reader);
				return bound instanceof Promise ? bound.catch(failDpop) : bound;
			}
			return auth instanceof Promise
				? auth.then((verified) => boundAndAllowed(verified, "Bearer", request, reader), fail)
				: boundAndAllowed(auth, "Bearer", request, reader);
		} catch (error) {
			if (optional && error instanceof BearerError && error.reason === "token_missing") return undefined;
			return scheme === "DPoP" ? failDpop(error) : fail(error);
		}
	}

	/** One request: with no subscriber to `bearerguard:authenticate`, nothing else (no clock, no event). */
	function authenticate<R>(
		request: R,
		reader: RequestReader<R> = plainReader as unknown as RequestReader<R>,
	): AuthResult | undefined | Promise<AuthResult | undefined> {
		if (!authenticateChannel.hasSubscribers) return check(request, reader, undefined);
		return traceAuthentication((trace) => check(request, reader, trace), verifier.traceContext, undefined);
	}
	return authenticate as GuardCheck;
}
