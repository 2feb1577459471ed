import { optionsFromEnvironment } from "./config/environment.js";
import type { GuardCheck } from "./guard.js";
import type { ChallengeSettings } from "./http/challenge.js";
import type { ResourceMetadata } from "./http/resource-metadata.js";
import type { AuthOptions, AuthResult, GuardOptions, Verifier, VerifierOptions } from "./types.js";
import { createVerifier, type VerifierInternals } from "./verifier.js";

/** What an adapter needs per middleware: the shared verifier and a compiled per-request check. */
export interface Authenticator {
	/** The `realm` of the challenges. */
	readonly realm: string;
	/** How the verifier words its challenges (`realm`, DPoP, resource metadata), for answers the adapter builds. */
	readonly challengeSettings: ChallengeSettings;
	/** The verifier, shared by every authenticator created with the same verifier options. */
	readonly verifier: Verifier;
	/**
	 * Finds the credential, verifies and authorizes it; `undefined` only for `optional` guards without
	 * credentials. Synchronous when it can be (a cached token and synchronous `validate`/`isRevoked`): it
	 * returns the result, or a promise of it, and throws (or rejects with) a `BearerError`. A framework's
	 * request is read through its {@link RequestReader}; a plain `{ headers }` object needs none.
	 */
	readonly authenticate: GuardCheck;
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

const GUARD_KEYS = new Set<string>(["permissions", "anyPermission", "optional"]);
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
	const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
	const merged: VerifierOptions = { ...optionsFromEnvironment(env), ...given };
	const key = fingerprint(merged);
	let verifier = shared.get(key);
	if (verifier === undefined) {
		verifier = createVerifier(merged);
		if (shared.size >= MAX_SHARED) shared.delete(shared.keys().next().value as string);
		shared.set(key, verifier);
	}
	return verifier;
}

/**
 * Prepares one middleware: merges `BEARERGUARD_*` environment variables under the given options,
 * validates everything now (a `TypeError` says what to fix), shares the verifier, and compiles the guard.
 * The adapters are built on it; use it to write one for another framework.
 *
 * @example
 * ```ts
 * const { authenticate } = createAuthenticator({ permissions: ['write'] })
 * const auth = await authenticate({ headers: req.headers }) // await also takes the synchronous answer
 * const viaReader = await authenticate(req, reader)         // a framework request through its RequestReader
 * ```
 */
export function createAuthenticator(
	options: AuthOptions = {},
	env: NodeJS.ProcessEnv = process.env,
): Authenticator {
	if (typeof options !== "object" || options === null)
		throw new TypeError("bearerguard: options must be an object.");
	const split = splitOptions(options);
	const verifier = sharedVerifier(split.verifier, env);
	return {
		realm: verifier.realm,
		challengeSettings: verifier.challengeSettings,
		verifier,
		authenticate: verifier.compileGuard(split.guard),
		successHeaders: verifier.successHeaders,
		resourceMetadata: verifier.resourceMetadata,
		compileGuard: (guardOptions) => verifier.compileGuard(guardOptions),
	};
}
