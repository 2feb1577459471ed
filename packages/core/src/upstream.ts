/**
 * Guards that build on an earlier guard of the same request: a guard given only guard options
 * (`requireAuth({ permissions: ['write'] })` behind `app.use(requireAuth({ issuer, audience }))`) and
 * `requirePermissions(...)`. An adapter only passes what the earlier guard left on the request (its
 * `auth`, or `null` when it went on without credentials); the rules live here, once for every adapter.
 */
import { checkPermissionList, checkRequirement } from "./authorize.js";
import { checkOptional, type GuardCheck } from "./guard.js";
import { invalidToken } from "./http/errors.js";
import type { RequestReader } from "./http/request.js";
import { GuardSetupError } from "./http/setup-error.js";
import { stampAuthAnswer } from "./schemes/api-key.js";
import { isIssued } from "./token/issued.js";
import type { AuthResult, GuardOptions, RequestLike } from "./types.js";

/**
 * What an earlier guard of bearerguard left on a request: its `auth`, `null` when it let the request
 * go on without credentials (`optional`), `undefined` when none ran. An `auth` that bearerguard did
 * not make (a user's own `req.auth = ...`) counts as none.
 */
export type Upstream = AuthResult | null | undefined;

/** Where to put the guard that verifies, in each framework's words. */
const ADD_A_GUARD =
	"add requireAuth({ issuer, audience }) before it (Express, Koa, Hono: app.use(requireAuth({ issuer, audience })); Fastify: app.addHook('onRequest', app.requireAuth()))";

const NOTHING_CONFIGURED = `requireAuth() has only guard options, nothing configures a verifier (no issuer or audience in code, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no requireAuth before it verified this request: ${ADD_A_GUARD}, or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.`;

/** The route's requirement on an earlier guard's `auth`; a refusal of an API key carries its deprecation headers. */
function checkUpstream(auth: AuthResult, requirement: Parameters<typeof checkRequirement>[1]): void {
	try {
		checkRequirement(auth, requirement);
	} catch (error) {
		throw stampAuthAnswer(error, auth);
	}
}

/** The guard options of a guard that builds on an earlier one, compiled: the check of its `auth`. */
function compileReuse(guardOptions: GuardOptions): (upstream: AuthResult | null) => AuthResult | undefined {
	const permissions = checkPermissionList(guardOptions.permissions, "permissions");
	const anyPermission = checkPermissionList(guardOptions.anyPermission, "anyPermission");
	const checksPermissions = permissions !== undefined || anyPermission !== undefined;
	// As in every guard: only a verified credential meets permissions, whatever `optional` says.
	const optional = checkOptional(guardOptions.optional) && !checksPermissions;
	const requirement = { permissions, anyPermission };
	return (upstream) => {
		if (upstream === null) {
			if (optional) return undefined;
			throw invalidToken("token_missing");
		}
		if (checksPermissions) checkUpstream(upstream, requirement);
		return upstream;
	};
}

/**
 * The per-request check of a guard that builds on the guards before it: `upstream` is what an earlier
 * guard left on this request (see {@link Upstream}). A result, or a promise of one; throws (or rejects
 * with) a `BearerError`, or a {@link GuardSetupError} when nothing can verify the request.
 */
export interface UpstreamCheck {
	/** Checks a plain `{ headers, query?, body? }` request. */
	(request: RequestLike, reader: undefined, upstream: Upstream): ReturnType<GuardCheck>;
	/** Checks a framework's request through its reader. */
	<R>(request: R, reader: RequestReader<R>, upstream: Upstream): ReturnType<GuardCheck>;
}

/**
 * The check of a guard given only guard options, when a guard may have run before it: it reuses that
 * guard's `auth` (no second verification), or its "no credentials" (`null`); with nothing (or an
 * `auth` bearerguard did not make) it runs `authenticate`, the guard's own check.
 *
 * @example
 * ```ts
 * const check = createReusingGuard({ permissions: ['write'] }, authenticate)
 * check(req, reader, req.auth) // the earlier guard's auth, if it holds 'write'
 * ```
 */
export function createReusingGuard(guardOptions: GuardOptions, authenticate: GuardCheck): UpstreamCheck {
	const reuse = compileReuse(guardOptions);
	const verify = authenticate as <R>(request: R, reader?: RequestReader<R>) => ReturnType<GuardCheck>;
	function check<R>(request: R, reader: RequestReader<R> | undefined, upstream: Upstream) {
		if (upstream === null || isIssued(upstream)) return reuse(upstream);
		return verify(request, reader);
	}
	return check as UpstreamCheck;
}

/**
 * The check of a guard given only guard options with nothing configured: it can only build on an
 * earlier guard, so a request that reaches it alone is a {@link GuardSetupError} saying what to add.
 * Its guard options are checked now, as any guard's.
 */
export function createUnconfiguredGuard(guardOptions: GuardOptions): GuardCheck {
	compileReuse(guardOptions);
	return function unconfigured(): never {
		throw new GuardSetupError(NOTHING_CONFIGURED);
	} as GuardCheck;
}

/** RFC 6750 scope-token characters: what a permission may be made of. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The check of `requirePermissions(...permissions)`: every one of them in the `auth` of an earlier
 * guard (403 `insufficient_scope` otherwise); the bare 401 when that guard went on without
 * credentials; a {@link GuardSetupError} when no guard of bearerguard ran before it. Bad names are a
 * `TypeError` now.
 *
 * @example
 * ```ts
 * const check = createPermissionsCheck(['delete'])
 * check(req.auth) // the auth, or throws
 * ```
 */
export function createPermissionsCheck(permissions: readonly unknown[]): (upstream: Upstream) => AuthResult {
	if (permissions.length === 0 || !permissions.every((p) => typeof p === "string" && SCOPE_TOKEN.test(p))) {
		throw new TypeError(
			"bearerguard: requirePermissions() takes one or more permission names without spaces, quotes or backslashes, such as requirePermissions('write').",
		);
	}
	const names = Object.freeze([...(permissions as string[])]);
	const requirement = { permissions: names };
	const described = `requirePermissions(${names.map((name) => `'${name}'`).join(", ")})`;
	return (upstream) => {
		if (upstream === null) throw invalidToken("token_missing");
		if (!isIssued(upstream)) {
			throw new GuardSetupError(
				`${described} ran with no requireAuth before it on this request: ${ADD_A_GUARD}.`,
			);
		}
		checkUpstream(upstream, requirement);
		return upstream;
	};
}
