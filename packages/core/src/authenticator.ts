import { optionsFromEnvironment } from "./config/environment.js";
import { mergeEnvironment, nameVariables } from "./config/merge-environment.js";
import { checkOptionNames, OPTION_NAMES } from "./config/option-names.js";
import type { GuardCheck } from "./guard.js";
import type { ChallengeSettings } from "./http/challenge.js";
import type { RequestReader } from "./http/request.js";
import type { ResourceMetadata } from "./http/resource-metadata.js";
import type { AuthOptions, AuthResult, GuardOptions, Verifier, VerifierOptions } from "./types.js";
import { createReusingGuard, createUnconfiguredGuard, type UpstreamCheck } from "./upstream.js";
import { createVerifier, type VerifierInternals } from "./verifier.js";

/** What an adapter needs per middleware: the shared verifier and a compiled per-request check. */
export interface Authenticator {
	/** The `realm` of the challenges. */
	readonly realm: string;
	/** How the verifier words its challenges (`realm`, DPoP, resource metadata), for answers the adapter builds. */
	readonly challengeSettings: ChallengeSettings;
	/**
	 * The verifier, shared by every authenticator created with the same verifier options; `undefined`
	 * for a guard given only guard options with nothing configured (it can only reuse an earlier guard's `auth`).
	 */
	readonly verifier: Verifier | undefined;
	/**
	 * Finds the credential, verifies and authorizes it; `undefined` only for `optional` guards without
	 * credentials. Synchronous when it can be (a cached token and synchronous `validate`/`isRevoked`): it
	 * returns the result, or a promise of it, and throws (or rejects with) a `BearerError`. A framework's
	 * request is read through its {@link RequestReader}; a plain `{ headers }` object needs none. For a
	 * guard given only guard options with nothing configured, it throws a `GuardSetupError` (a
	 * programming error, for the framework's error handling).
	 */
	readonly authenticate: GuardCheck;
	/**
	 * Whether this guard builds on the guards before it (it was given only guard options): the adapter
	 * then calls {@link Authenticator.reuse} when a guard of bearerguard ran before it on the request.
	 */
	readonly reusesUpstream: boolean;
	/**
	 * `authenticate` for a request that an earlier guard has seen: the adapter passes what that guard
	 * left (its `auth`, or `null` when it went on without credentials). A guard that reuses upstream
	 * checks that `auth` (no second verification); any other ignores it and authenticates.
	 */
	readonly reuse: UpstreamCheck;
	/**
	 * Headers to add to a successful answer (a fresh `DPoP-Nonce`, an API key's deprecation), or
	 * `undefined` when the verifier never adds any, so the adapter checks once per request.
	 */
	readonly successHeaders: ((auth: AuthResult) => Readonly<Record<string, string>> | undefined) | undefined;
	/**
	 * The protected resource metadata (RFC 9728) to serve before authenticating, when the `resource`
	 * option is set: `answer(method, path)` gives the answer for the well-known paths.
	 */
	readonly resourceMetadata: ResourceMetadata | undefined;
	/**
	 * Compiles other guard options (in place of this authenticator's own) on the same verifier, for an
	 * adapter whose routes declare permissions apart from the guard (NestJS decorators). A bad option is a
	 * `TypeError`.
	 */
	readonly compileGuard: (options: GuardOptions) => GuardCheck;
}

const GUARD_KEYS = new Set<string>(OPTION_NAMES.guard);
const DEFAULT_CHALLENGE: ChallengeSettings = Object.freeze({ realm: "api" });
/** Shared verifiers by options fingerprint; bounded so a misuse cannot grow it without end. */
const shared = new Map<string, VerifierInternals>();
const MAX_SHARED = 100;
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: object): number {
	let id = identities.get(value);
	if (id === undefined) {
		id = ++nextIdentity;
		identities.set(value, id);
	}
	return id;
}

/** A stable fingerprint of options: plain data by value, functions and RegExps by identity. */
function fingerprint(value: unknown): string {
	return JSON.stringify(value, (_key, item: unknown) => {
		if (typeof item === "function" || item instanceof RegExp) return `#${identity(item)}`;
		if (item instanceof Uint8Array) return `bytes:${Buffer.from(item).toString("base64")}`;
		if (item && typeof item === "object" && !Array.isArray(item)) {
			return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)));
		}
		return item;
	});
}

/** Splits `requireAuth` options into verifier options and guard options. */
export function splitOptions(options: AuthOptions): { verifier: VerifierOptions; guard: GuardOptions } {
	const verifier: Record<string, unknown> = {};
	const guard: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (value === undefined) continue;
		(GUARD_KEYS.has(key) ? guard : verifier)[key] = value;
	}
	return { verifier: verifier as VerifierOptions, guard: guard as GuardOptions };
}

/**
 * The shared verifier for these options (environment variables fill what is not given): the same
 * options give the same verifier, so every route shares one JWKS cache and one token cache.
 *
 * @example
 * ```ts
 * sharedVerifier({ issuer, audience }) === sharedVerifier({ audience, issuer }) // true
 * ```
 */
export function sharedVerifier(
	options: VerifierOptions = {},
	env: NodeJS.ProcessEnv = process.env,
): VerifierInternals {
	const { options: merged, sources } = mergeEnvironment(options, env);
	const key = fingerprint(merged);
	let verifier = shared.get(key);
	if (verifier === undefined) {
		try {
			verifier = createVerifier(merged);
		} catch (error) {
			throw nameVariables(error, sources);
		}
		if (shared.size >= MAX_SHARED) shared.delete(shared.keys().next().value as string);
		shared.set(key, verifier);
	}
	return verifier;
}

/** How {@link createAuthenticator} builds on the guards before it. */
export interface AuthenticatorSettings {
	/**
	 * Reuse the `auth` of an earlier guard on the request instead of verifying again. Default: when the
	 * options hold only guard options. (The Fastify plugin sets it for `app.requireAuth({ permissions })`,
	 * whose options are merged over the plugin's.)
	 */
	readonly reuseUpstream?: boolean;
}

/**
 * Prepares one middleware: merges `BEARERGUARD_*` environment variables under the given options,
 * validates everything now (a `TypeError` says what to fix), shares the verifier, and compiles the guard.
 * The adapters are built on it; use it to write one for another framework.
 *
 * A guard given only guard options (`{ permissions: ['write'] }`) reuses the `auth` of a guard that ran
 * before it on the request (the adapter passes it); without one it verifies with the environment's
 * configuration, and with nothing configured its requests fail with a `GuardSetupError` that says
 * what to add (a programming error: the framework's error handling gets it, the client a 500).
 *
 * @example
 * ```ts
 * const { authenticate } = createAuthenticator({ issuer, audience, permissions: ['write'] })
 * const auth = await authenticate({ headers: req.headers }) // await also takes the synchronous answer
 * const viaReader = await authenticate(req, reader)         // a framework request through its RequestReader
 * ```
 */
export function createAuthenticator(
	options: AuthOptions = {},
	env: NodeJS.ProcessEnv = process.env,
	settings: AuthenticatorSettings = {},
): Authenticator {
	if (typeof options !== "object" || options === null)
		throw new TypeError("bearerguard: options must be an object.");
	checkOptionNames(options, "authenticator");
	const split = splitOptions(options);
	const reusesUpstream = settings.reuseUpstream ?? Object.keys(split.verifier).length === 0;
	if (!reusesUpstream) {
		const verifier = sharedVerifier(split.verifier, env);
		const authenticate = verifier.compileGuard(split.guard);
		return {
			realm: verifier.realm,
			challengeSettings: verifier.challengeSettings,
			verifier,
			authenticate,
			reusesUpstream,
			reuse: ((request: unknown, reader?: RequestReader<unknown>) =>
				authenticate(request, reader as RequestReader<unknown>)) as UpstreamCheck,
			successHeaders: verifier.successHeaders,
			resourceMetadata: verifier.resourceMetadata,
			compileGuard: (guardOptions) => verifier.compileGuard(guardOptions),
		};
	}
	// Only guard options: verify with what is configured (code or environment) when no guard ran before.
	const configured =
		Object.keys(split.verifier).length > 0 || Object.keys(optionsFromEnvironment(env)).length > 0;
	const verifier = configured ? sharedVerifier(split.verifier, env) : undefined;
	const authenticate = verifier?.compileGuard(split.guard) ?? createUnconfiguredGuard(split.guard);
	return {
		realm: verifier?.realm ?? DEFAULT_CHALLENGE.realm,
		challengeSettings: verifier?.challengeSettings ?? DEFAULT_CHALLENGE,
		verifier,
		authenticate,
		reusesUpstream,
		reuse: createReusingGuard(split.guard, authenticate),
		successHeaders: verifier?.successHeaders,
		resourceMetadata: verifier?.resourceMetadata,
		compileGuard: (guardOptions) =>
			verifier?.compileGuard(guardOptions) ?? createUnconfiguredGuard(guardOptions),
	};
}
