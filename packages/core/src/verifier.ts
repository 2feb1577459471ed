import { authorize, checkPermissionList } from "./authorize.js";
import { checkStaticClaims, checkTimeClaims, readPermissions } from "./claims.js";
import { BearerError, invalidRequest, invalidToken, TemporarilyUnavailableError } from "./errors.js";
import { bearerCandidate, extractBearerToken, isToken68 } from "./extract.js";
import { deepFreeze } from "./json.js";
import { type DecodedJws, decodeJws, verifySignature } from "./jws.js";
import { KeySource, type VerifyKey } from "./key-source.js";
import { normalizeTyp, type ResolvedOptions, resolveOptions } from "./options.js";
import { TokenCache, type VerifiedToken } from "./token-cache.js";
import type {
	Algorithm,
	AuthResult,
	Claims,
	GuardOptions,
	RequestLike,
	TokenHeader,
	Verifier,
	VerifierOptions,
	VerifyContext,
} from "./types.js";

/** A verifier with its internals reachable, for the project's own tests and benchmarks. */
export interface VerifierInternals extends Verifier {
	/** The resolved options. */
	readonly options: ResolvedOptions;
	/** The key source (JWKS caches per issuer). */
	readonly keys: KeySource;
	/** The verified-token cache, when on. */
	readonly tokenCache: TokenCache | undefined;
	/**
	 * Like `guard`, but the check answers synchronously when it can (a cached token, no custom check):
	 * a result, or a promise of one. Throws (or rejects with) a `BearerError`. The adapters use it.
	 */
	compileGuard(
		options?: GuardOptions,
	): (request: RequestLike) => AuthResult | undefined | Promise<AuthResult | undefined>;
}

const seconds = () => Date.now() / 1000;

/**
 * Signature and claims checks of a token not in the cache. Synchronous when the issuer's keys are cached
 * and fresh (the common case), so a miss costs little more than the signature check itself.
 */
function verifyUncached(
	token: string,
	options: ResolvedOptions,
	keys: KeySource,
): VerifiedToken | Promise<VerifiedToken> {
	const jws = decodeJws(token);
	const { header, payload, alg } = jws;
	if (!options.algorithms.has(alg as Algorithm)) throw invalidToken("alg_not_allowed");
	// No extension is understood, so any `crit` (RFC 7515 §4.1.11) and `b64` (RFC 7797) is refused.
	if (header.crit !== undefined || header.b64 !== undefined) throw invalidToken("crit_unsupported");
	if (
		options.typ !== undefined &&
		(typeof header.typ !== "string" || normalizeTyp(header.typ) !== options.typ)
	) {
		throw invalidToken("typ_mismatch");
	}
	const kid = header.kid;
	if (kid !== undefined && typeof kid !== "string") throw invalidToken("token_malformed");
	// The issuer is read before the signature is checked only to pick its keys; it is checked again below.
	const issuer = payload.iss;
	if (typeof issuer !== "string" || !options.issuers.includes(issuer)) throw invalidToken("issuer_mismatch");
	const candidates = keys.keysFor(issuer, alg as Algorithm, kid);
	return Array.isArray(candidates)
		? checkVerified(jws, issuer, candidates, token, options)
		: candidates.then((found) => checkVerified(jws, issuer, found, token, options));
}

function checkVerified(
	{ header, payload, signingInput, signature, alg }: DecodedJws,
	issuer: string,
	candidates: readonly VerifyKey[],
	token: string,
	options: ResolvedOptions,
): VerifiedToken {
	if (!candidates.some((key) => verifySignature(alg as Algorithm, signingInput, signature, key))) {
		throw invalidToken("signature_invalid");
	}
	checkStaticClaims(payload, options);
	const permissions = readPermissions(payload, options.permissionsClaims);
	let organization: string | undefined;
	let organizationValid = true;
	if (options.organization) {
		const value = payload[options.organization.claim];
		if (typeof value === "string" && options.organization.pattern.test(value)) organization = value;
		else organizationValid = value === undefined ? !options.organization.required : false;
	}
	const auth: AuthResult = Object.freeze({
		token,
		header: header as TokenHeader,
		claims: deepFreeze(payload) as Claims,
		subject: payload.sub as string | undefined,
		issuer,
		organization,
		permissions,
		expiresAt: payload.exp as number | undefined,
	});
	return { auth, organizationValid };
}

function checkOrganization(entry: VerifiedToken, context?: VerifyContext): void {
	if (!entry.organizationValid) throw invalidRequest("organization_invalid");
	const requested = context?.organization;
	if (requested === undefined) return;
	if (typeof requested !== "string" || requested !== entry.auth.organization) {
		throw invalidRequest("organization_mismatch");
	}
}

async function runCustomChecks(auth: AuthResult, options: ResolvedOptions): Promise<void> {
	if (options.validate) {
		let valid: boolean | undefined;
		try {
			valid = await options.validate(auth);
		} catch (cause) {
			throw invalidToken("validation_failed", cause);
		}
		if (valid === false) throw invalidToken("validation_failed");
	}
	if (options.isRevoked) {
		let revoked: boolean;
		try {
			revoked = await options.isRevoked(auth);
		} catch (cause) {
			throw new TemporarilyUnavailableError("revocation_check_failed", 1, { cause });
		}
		if (revoked) throw invalidToken("revoked");
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
	const { realm, organization } = options;
	const customChecks = options.validate !== undefined || options.isRevoked !== undefined;

	/** After signature, claims and clock: the rest of the per-request checks, in the contract's order. */
	function finish(
		entry: VerifiedToken,
		context: VerifyContext | undefined,
	): AuthResult | Promise<AuthResult> {
		if (customChecks) {
			return runCustomChecks(entry.auth, options).then(() => {
				if (organization) checkOrganization(entry, context);
				return entry.auth;
			});
		}
		if (organization) checkOrganization(entry, context);
		return entry.auth;
	}

	/**
	 * Verifies a token; synchronous on a cache hit without custom checks. `fromHeader` tokens were only
	 * split off the header: their token68 grammar is checked on a miss (a cached token passed it already).
	 */
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
		const cached = tokenCache?.get(token, now);
		if (cached !== undefined) {
			checkTimeClaims(cached.auth.claims, options, now);
			return finish(cached, context);
		}
		let verified: VerifiedToken | Promise<VerifiedToken>;
		try {
			verified = verifyUncached(token, options, keys);
		} catch (error) {
			// The compact-JWS grammar that decoding checks first is narrower than the header's token68:
			// only a token refused already can be a malformed header (400), and only then is it scanned again.
			if (fromHeader && !isToken68(token)) throw invalidRequest("authorization_malformed");
			throw error;
		}
		// After waiting for keys, the clock is read again.
		return verified instanceof Promise
			? verified.then((entry) => store(token, entry, context, seconds()))
			: store(token, verified, context, now);
	}

	/** A freshly verified token: its clock checks come first, so an expired one is never cached. */
	function store(token: string, entry: VerifiedToken, context: VerifyContext | undefined, now: number) {
		checkTimeClaims(entry.auth.claims, options, now);
		tokenCache?.offer(token, entry, entry.auth.expiresAt, now);
		return finish(entry, context);
	}

	function withRealm(error: unknown): never {
		if (error instanceof BearerError) error.realm = realm;
		throw error;
	}

	function compileGuard(guardOptions: GuardOptions = {}) {
		const permissions = checkPermissionList(guardOptions.permissions, "permissions");
		const anyPermission = checkPermissionList(guardOptions.anyPermission, "anyPermission");
		const optional = guardOptions.optional ?? false;
		if (typeof optional !== "boolean") throw new TypeError('bearerguard: "optional" must be true or false.');
		const requirement = { permissions, anyPermission };
		const checksPermissions = permissions !== undefined || anyPermission !== undefined;
		const extraSources = options.allowQueryToken || options.allowBodyToken;
		const organizationHeader = organization?.header;
		const allowed = (auth: AuthResult) => {
			if (checksPermissions) authorize(auth, requirement);
			return auth;
		};
		const fail = (error: unknown) => withRealm(error);

		/** Extract, verify, authorize: synchronous when the token is cached and no custom check runs. */
		return function authenticate(
			request: RequestLike,
		): AuthResult | undefined | Promise<AuthResult | undefined> {
			try {
				let token: string | undefined;
				let fromHeader = false;
				if (extraSources) {
					token = extractBearerToken(request.headers, {
						query: options.allowQueryToken ? request.query : undefined,
						body: options.allowBodyToken ? request.body : undefined,
					});
				} else {
					token = bearerCandidate(request.headers);
					fromHeader = true;
				}
				if (token === undefined) {
					if (optional) return undefined;
					throw invalidToken("token_missing");
				}
				const context =
					organizationHeader === undefined
						? undefined
						: { organization: request.headers[organizationHeader] };
				const auth = verifyToken(token, context, fromHeader);
				return auth instanceof Promise ? auth.then(allowed, fail) : allowed(auth);
			} catch (error) {
				if (optional && error instanceof BearerError && error.reason === "token_missing") return undefined;
				return withRealm(error);
			}
		};
	}

	return {
		realm,
		options,
		keys,
		tokenCache,
		async verify(token, context) {
			try {
				return await verifyToken(token, context, false);
			} catch (error) {
				return withRealm(error);
			}
		},
		guard(guardOptions) {
			const authenticate = compileGuard(guardOptions);
			return async (request) => authenticate(request);
		},
		compileGuard,
	};
}
