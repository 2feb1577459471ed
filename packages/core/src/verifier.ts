import { type ResolvedOptions, resolveOptions } from "./config/options.js";
import type { ReplayStore } from "./credential-types.js";
import { diagnose } from "./diagnose/diagnose.js";
import type { DiagnoseOptions, Diagnosis } from "./diagnose/diagnosis-types.js";
import { type AuthTraceContext, traceAuthentication } from "./events/authenticate.js";
import { authenticateChannel } from "./events/channels.js";
import { compileGuard, type GuardCheck } from "./guard.js";
import type { ChallengeSettings } from "./http/challenge.js";
import { BearerError, invalidRequest, invalidToken, TemporarilyUnavailableError } from "./http/errors.js";
import { createResourceMetadata, type ResourceMetadata } from "./http/resource-metadata.js";
import { keysHealth, keysReady } from "./keys/key-health.js";
import { KeySource } from "./keys/key-source.js";
import { apiKeyAnswerHeaders, checkApiKeyExpiry, createApiKeyVerifier } from "./schemes/api-key.js";
import type { ApiKeyLookupCache } from "./schemes/api-key-lookup.js";
import { isToken68 } from "./schemes/bearer.js";
import { Introspector, isJwtShaped } from "./schemes/introspection.js";
import type { IntrospectedToken } from "./schemes/introspection-response.js";
import { type BindingCheck, createSenderConstraint } from "./schemes/sender-constraint.js";
import { claimedIssuer } from "./token/claimed-issuer.js";
import { checkTimeClaims } from "./token/claims.js";
import { TokenCache, type VerifiedToken } from "./token/token-cache.js";
import { verifyJwt } from "./token/verify-jwt.js";
import type { AuthResult, GuardOptions, Verifier, VerifierOptions, VerifyContext } from "./types.js";

/** A verifier with its internals reachable, for the adapters, the project's own tests and benchmarks. */
export interface VerifierInternals extends Verifier {
	/** The resolved options. */
	readonly options: ResolvedOptions;
	/** The key source (JWKS caches per issuer). */
	readonly keys: KeySource;
	/** The verified-token cache, when on. */
	readonly tokenCache: TokenCache | undefined;
	/** How this verifier words its challenges; stamped on every error it throws. */
	readonly challengeSettings: ChallengeSettings;
	/** The protected resource metadata (RFC 9728) the adapters serve, when the `resource` option is set. */
	readonly resourceMetadata: ResourceMetadata | undefined;
	/**
	 * Headers a successful answer carries (e.g. a fresh `DPoP-Nonce`, an API key's deprecation), or
	 * `undefined` when this verifier never adds any: adapters check it once per request.
	 */
	readonly successHeaders: ((auth: AuthResult) => Readonly<Record<string, string>> | undefined) | undefined;
	/**
	 * Like `guard`, but the check answers synchronously when it can (a cached token, synchronous custom
	 * checks): a result, or a promise of one. Throws (or rejects with) a `BearerError`. The adapters use it.
	 */
	compileGuard(options?: GuardOptions): GuardCheck;
	/**
	 * Verifies a token, synchronously on a cache hit with synchronous custom checks. `fromHeader` tokens
	 * were only split off the header: their token68 grammar is checked on a miss.
	 */
	verifyToken(
		token: string,
		context: VerifyContext | undefined,
		fromHeader: boolean,
	): AuthResult | Promise<AuthResult>;
	/**
	 * Verifies an API key (`apiKeys`): format, hash, record, expiry, then `validate`, `isRevoked` and the
	 * organization as for a token. Synchronous for a listed or cached key with synchronous custom checks.
	 */
	verifyApiKey(key: string, context: VerifyContext | undefined): AuthResult | Promise<AuthResult>;
	/** The cache of `apiKeys.lookup`, when a lookup is configured (its sizes and call count). */
	readonly apiKeyLookups: ApiKeyLookupCache | undefined;
	/** The introspection of opaque tokens, when `introspection` is configured (its cache and call count). */
	readonly introspector: Introspector | undefined;
	/**
	 * The binding check of sender-constrained tokens (DPoP proof, client certificate) for a verified
	 * token as the request presented it; the guard calls it after `verifyToken`.
	 */
	readonly bind: BindingCheck;
	/** The DPoP replay store in use, when `dpop` is set (the in-memory default unless one was given). */
	readonly replayStore: ReplayStore | undefined;
	/** Sets this verifier's challenge settings on an error (a `BearerError`) and throws it. */
	fail(error: unknown): never;
	/** What the diagnostics events need of this verifier (its token cache's hits, the configured issuers). */
	readonly traceContext: AuthTraceContext;
	/**
	 * Runs every check of a verification on `token`, one by one, and says for each whether it passed, the
	 * reason and the fix when it failed, and the verdict of the real verification (what the middleware
	 * answers), fetching keys as the middleware would. Publishes no event. `bearerguard inspect` prints it.
	 *
	 * @example
	 * ```ts
	 * const { accepted, checks } = await createVerifier({ issuer, audience }).diagnose(token, { permissions: ['write'] })
	 * ```
	 */
	diagnose(token: string, options?: DiagnoseOptions): Promise<Diagnosis>;
}

const seconds = () => Date.now() / 1000;

type SuccessHeaders = (auth: AuthResult) => Readonly<Record<string, string>> | undefined;

/** An API key's deprecation headers, or a DPoP answer's fresh nonce: each for its own credentials. */
function combineSuccessHeaders(
	keys: SuccessHeaders | undefined,
	nonces: SuccessHeaders | undefined,
): SuccessHeaders | undefined {
	if (keys === undefined || nonces === undefined) return keys ?? nonces;
	return (auth) => (auth.source === "api-key" ? keys(auth) : nonces(auth));
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
	return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function checkOrganization(entry: VerifiedToken, context?: VerifyContext): void {
	if (!entry.organizationValid) throw invalidRequest("organization_invalid");
	const requested = context?.organization;
	if (requested === undefined) return;
	if (typeof requested !== "string" || requested !== entry.auth.organization) {
		throw invalidRequest("organization_mismatch");
	}
}

/**
 * Creates a verifier: validates the options now (a `TypeError` says what to fix) and returns an object
 * whose `verify(token)` resolves the `auth` result or throws a `BearerError`. Create it once and share it:
 * it holds the JWKS and verified-token caches.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' })
 * const auth = await verifier.verify(token)
 * auth.permissions.has('read')
 * ```
 */
export function createVerifier(input: VerifierOptions): VerifierInternals {
	const options = resolveOptions(input);
	const keys = new KeySource(options);
	const tokenCache = options.tokenCache
		? new TokenCache(options.tokenCache.max, options.tokenCache.maxAge)
		: undefined;
	const { realm, organization, validate, isRevoked } = options;
	const resourceMetadata = input.resource === undefined ? undefined : createResourceMetadata(input.resource);
	const challengeSettings: ChallengeSettings = Object.freeze({
		realm,
		...(options.dpop && {
			dpop: Object.freeze({ algs: options.dpop.algs, required: options.dpop.required }),
		}),
		...(resourceMetadata && { resourceMetadata: resourceMetadata.url }),
	});
	const senderConstraint = createSenderConstraint(options);
	const bind = senderConstraint.check;
	const apiKeys = createApiKeyVerifier(options);
	const introspector =
		options.introspection === undefined
			? undefined
			: new Introspector(options, keys.discoveryOf(options.issuers[0] as string));
	const traceContext: AuthTraceContext = {
		cache:
			apiKeys === undefined && introspector === undefined
				? tokenCache
				: {
						// Read only when someone subscribes to the events: every cache's answers, added up.
						get hits() {
							return (
								((tokenCache?.hits ?? 0) + (introspector?.cache.hits ?? 0) + (apiKeys?.lookups?.hits ?? 0)) |
								0
							);
						},
					},
		issuerOf: (token) => claimedIssuer(token, options.issuers),
	};

	/** The last per-request checks, in the contract's order: organization after `validate` and `isRevoked`. */
	function afterCustomChecks(entry: VerifiedToken, context: VerifyContext | undefined): AuthResult {
		if (organization) checkOrganization(entry, context);
		return entry.auth;
	}

	/** `isRevoked`: a synchronous answer keeps the request synchronous; a throw is the 503. */
	function checkRevoked(
		entry: VerifiedToken,
		context: VerifyContext | undefined,
	): AuthResult | Promise<AuthResult> {
		if (isRevoked === undefined) return afterCustomChecks(entry, context);
		let revoked: boolean | Promise<boolean>;
		try {
			revoked = isRevoked(entry.auth);
		} catch (cause) {
			throw new TemporarilyUnavailableError("revocation_check_failed", 1, { cause });
		}
		if (isPromise(revoked)) {
			return revoked.then(
				(value) => {
					if (value) throw invalidToken("revoked");
					return afterCustomChecks(entry, context);
				},
				(cause: unknown) => {
					throw new TemporarilyUnavailableError("revocation_check_failed", 1, { cause });
				},
			);
		}
		if (revoked) throw invalidToken("revoked");
		return afterCustomChecks(entry, context);
	}

	/** After signature, claims and clock: `validate`, `isRevoked`, the organization. */
	function finish(
		entry: VerifiedToken,
		context: VerifyContext | undefined,
	): AuthResult | Promise<AuthResult> {
		if (validate === undefined) return checkRevoked(entry, context);
		let valid: boolean | undefined | Promise<boolean | undefined>;
		try {
			valid = validate(entry.auth);
		} catch (cause) {
			throw invalidToken("validation_failed", cause);
		}
		if (isPromise(valid)) {
			return valid.then(
				(value) => {
					if (value === false) throw invalidToken("validation_failed");
					return checkRevoked(entry, context);
				},
				(cause: unknown) => {
					throw invalidToken("validation_failed", cause);
				},
			);
		}
		if (valid === false) throw invalidToken("validation_failed");
		return checkRevoked(entry, context);
	}

	function verifyToken(
		token: string,
		context: VerifyContext | undefined,
		fromHeader: boolean,
	): AuthResult | Promise<AuthResult> {
		if (typeof token !== "string") throw invalidToken("token_malformed");
		if (token.length > options.maxTokenLength) {
			// The header's grammar answers first (400), then the length (401).
			throw fromHeader && !isToken68(token)
				? invalidRequest("authorization_malformed")
				: invalidToken("token_too_long");
		}
		const now = seconds();
		// A token without a dot is opaque: introspected (when configured) without trying it as a JWT.
		if (introspector !== undefined && (introspector.all || !token.includes("."))) {
			return verifyIntrospected(token, context, fromHeader, now);
		}
		const cached = tokenCache?.get(token, now);
		if (cached !== undefined) {
			checkTimeClaims(cached.auth.claims, options, now);
			return finish(cached, context);
		}
		let verified: VerifiedToken | Promise<VerifiedToken>;
		try {
			verified = verifyJwt(token, options, keys);
		} catch (error) {
			// The compact-JWS grammar that decoding checks first is narrower than the header's token68:
			// only a token refused already can be a malformed header (400), and only then is it scanned again.
			if (fromHeader && !isToken68(token)) throw invalidRequest("authorization_malformed");
			if (introspector !== undefined && !isJwtShaped(token))
				return verifyIntrospected(token, context, false, now);
			throw error;
		}
		// After waiting for keys, the clock is read again.
		return isPromise(verified)
			? verified.then((entry) => store(token, entry, context, seconds()))
			: store(token, verified, context, now);
	}

	/** A freshly verified token: its clock checks come first, so an expired one is never cached. */
	function store(token: string, entry: VerifiedToken, context: VerifyContext | undefined, now: number) {
		checkTimeClaims(entry.auth.claims, options, now);
		tokenCache?.offer(token, entry, entry.auth.expiresAt, now);
		return finish(entry, context);
	}

	/** An opaque token (or any, with `introspection.jwt`): the introspection cache, else one call per token. */
	function verifyIntrospected(
		token: string,
		context: VerifyContext | undefined,
		fromHeader: boolean,
		now: number,
	): AuthResult | Promise<AuthResult> {
		const introspection = introspector as Introspector;
		const hit = introspection.hit(token, now * 1000);
		if (hit !== undefined) return finishIntrospected(hit, context, now);
		const key = introspection.cache.keyOf(token);
		const cached = introspection.cached(key, now * 1000);
		if (cached !== undefined) return finishIntrospected(cached, context, now);
		if (fromHeader && !isToken68(token)) throw invalidRequest("authorization_malformed");
		return introspection
			.introspect(key, token)
			.then((entry) => finishIntrospected(entry, context, seconds()));
	}

	/** Per request, cached or not: the clock, then `validate`, `isRevoked`, the organization. */
	function finishIntrospected(entry: IntrospectedToken, context: VerifyContext | undefined, now: number) {
		checkTimeClaims(entry.auth.claims, options, now);
		return finish(entry, context);
	}

	function verifyApiKey(key: string, context: VerifyContext | undefined): AuthResult | Promise<AuthResult> {
		if (apiKeys === undefined) throw invalidToken("api_key_unknown");
		const entry = apiKeys.verify(key);
		if (isPromise(entry)) {
			return entry.then((found) => {
				checkApiKeyExpiry(found, seconds());
				return finish(found, context);
			});
		}
		checkApiKeyExpiry(entry, seconds());
		return finish(entry, context);
	}

	function fail(error: unknown): never {
		if (error instanceof BearerError) error.challengeSettings = challengeSettings;
		throw error;
	}

	const verifier: VerifierInternals = {
		realm,
		options,
		keys,
		tokenCache,
		challengeSettings,
		resourceMetadata,
		successHeaders: combineSuccessHeaders(
			options.apiKeys?.answerHeaders === undefined ? undefined : apiKeyAnswerHeaders,
			senderConstraint.successHeaders,
		),
		bind,
		replayStore: senderConstraint.replay,
		async verify(token, context) {
			try {
				// Without a request there is no proof or certificate: the token is checked as a bearer token.
				const verifyBearer = async () =>
					bind(await verifyToken(token, context, false), "Bearer", undefined, undefined);
				if (!authenticateChannel.hasSubscribers) return await verifyBearer();
				return await traceAuthentication(
					(trace) => {
						trace.token = token;
						return verifyBearer();
					},
					traceContext,
					undefined,
				);
			} catch (error) {
				return fail(error);
			}
		},
		guard(guardOptions) {
			const authenticate = compileGuard(verifier, guardOptions);
			return async (request) => authenticate(request);
		},
		compileGuard: (guardOptions) => compileGuard(verifier, guardOptions),
		verifyToken,
		verifyApiKey,
		apiKeyLookups: apiKeys?.lookups,
		introspector,
		fail,
		traceContext,
		ready: (readyOptions) => keysReady(options, keys, readyOptions),
		health: () => keysHealth(options, keys),
		diagnose: (token, request) => diagnose(verifier, token, request),
	};
	// Keys load in the background; failures show in health() and the events, and requests retry them.
	if (options.prefetch) verifier.ready().catch(() => undefined);
	return verifier;
}
