import type { ApiKeysOptions, DpopOptions, IntrospectionOptions, MtlsOptions } from "./credential-types.js";

/** A duration: seconds as a number, or a string such as `'30s'`, `'10m'`, `'24h'`, `'7d'`. */
export type Duration = number | string;

/** The JWS algorithms bearerguard verifies. `none` is not one of them, ever. */
export type Algorithm =
	| "RS256"
	| "RS384"
	| "RS512"
	| "PS256"
	| "PS384"
	| "PS512"
	| "ES256"
	| "ES384"
	| "ES512"
	| "EdDSA"
	| "HS256"
	| "HS384"
	| "HS512";

/** The registered and common access-token claims, as they are typed after verification. */
export interface StandardClaims {
	/** Issuer (checked against `issuer`). */
	iss?: string;
	/** Subject. */
	sub?: string;
	/** Audience (checked against `audience`). */
	aud?: string | string[];
	/** Expiry, Unix time in seconds. */
	exp?: number;
	/** Not before, Unix time in seconds. */
	nbf?: number;
	/** Issued at, Unix time in seconds. */
	iat?: number;
	/** Token ID, the key for revocation. */
	jti?: string;
	/** RFC 9068 client identifier. */
	client_id?: string;
	/** OAuth scope, space separated. */
	scope?: string;
	/** Any other claim. */
	[claim: string]: unknown;
}

/**
 * Your own claims. Extend it by declaration merging and `auth.claims` is typed in every adapter.
 *
 * @example
 * ```ts
 * declare module '@bearerguard/core' {
 *   interface CustomClaims { org_id: string; tier: 'free' | 'pro' }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: an extension point for declaration merging
export interface CustomClaims {}

/** The claims of a verified token: the standard ones and yours. */
export type Claims = StandardClaims & CustomClaims;

/** The protected header of a verified token. */
export interface TokenHeader {
	/** The algorithm the token was verified with. */
	alg: Algorithm;
	/** The key ID, when the token named one. */
	kid?: string;
	/** The media type, e.g. `at+jwt`. */
	typ?: string;
	/** Any other header parameter (never trusted, never followed). */
	[parameter: string]: unknown;
}

/** What every `auth` holds, whatever the credential. */
interface AuthCommon {
	/**
	 * The credential: the raw token as received for a JWT or an introspected token; for an API key, the
	 * key's hash (lowercase hex SHA-256), never the key.
	 */
	readonly token: string;
	/**
	 * The token's claims; for an introspected token, the introspection answer's members; for an API
	 * key, `{ sub, name?, exp? }` from its record.
	 */
	readonly claims: Readonly<Claims>;
	/** `sub` (an API key's record: `subject`), when present. */
	readonly subject: string | undefined;
	/** The organization ID from the `organization` claim (an API key's record: `organization`), when configured and present. */
	readonly organization: string | undefined;
	/** The union of every `permissionsClaim`, strings split on spaces (an API key's record: `permissions`). */
	readonly permissions: ReadonlySet<string>;
	/** `exp` as Unix time in seconds, or `undefined` for a credential that never expires. */
	readonly expiresAt: number | undefined;
	/**
	 * The key the token is bound to and that this request proved it holds (RFC 7800 `cnf`): `jkt` for a
	 * DPoP-bound token, `x5t#S256` for a certificate-bound one; `undefined` for a bearer token.
	 */
	readonly confirmation: Readonly<{ jkt?: string; "x5t#S256"?: string }> | undefined;
}

/** The `auth` of a JWT access token, verified by its signature. */
export interface JwtAuthResult extends AuthCommon {
	/** The token's protected header. */
	readonly header: Readonly<TokenHeader>;
	/** `iss`, one of the configured issuers. */
	readonly issuer: string;
	/** How the request presented its credential: `Authorization: Bearer` or `Authorization: DPoP`. */
	readonly scheme: "Bearer" | "DPoP";
	/** How the credential was verified: a JWT's signature. */
	readonly source: "jwt";
}

/** The `auth` of a token checked by the authorization server's introspection endpoint (RFC 7662). */
export interface IntrospectedAuthResult extends AuthCommon {
	/** No JOSE header: the token was not read, only introspected. */
	readonly header: undefined;
	/** The answer's `iss` (one of the configured issuers), else the issuer whose endpoint answered. */
	readonly issuer: string;
	/** How the request presented its credential: `Authorization: Bearer` or `Authorization: DPoP`. */
	readonly scheme: "Bearer" | "DPoP";
	/** How the credential was verified: the issuer's introspection endpoint. */
	readonly source: "introspection";
}

/** The `auth` of an API key (`apiKeys`). */
export interface ApiKeyAuthResult extends AuthCommon {
	/** No JOSE header: a key is not a token. */
	readonly header: undefined;
	/** No issuer: the key was checked against your own records. */
	readonly issuer: undefined;
	/** How the request presented its credential: an API key header or query parameter. */
	readonly scheme: "ApiKey";
	/** How the credential was verified: against a stored key's hash. */
	readonly source: "api-key";
	/** API keys are never bound to a key. */
	readonly confirmation: undefined;
}

/**
 * The result of a successful verification: `req.auth`, `ctx.state.auth`, `request.auth`. `source`
 * tells the credentials apart (and narrows the type): `'jwt'`, `'introspection'`, `'api-key'`.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json({ sub: req.auth?.subject, can: [...req.auth!.permissions] }))
 * app.get('/v2/reports', (req, res) => {
 *   if (req.auth?.source === 'api-key') return res.status(403).json({ message: 'Use OAuth for /v2' })
 *   res.json({ alg: req.auth?.header?.alg })
 * })
 * ```
 */
export type AuthResult = JwtAuthResult | IntrospectedAuthResult | ApiKeyAuthResult;

/** Headers as Node and every framework give them: lower-case names, a string or a list of strings. */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the verifier reads from a request: its headers and, when enabled, its query and form body. */
export interface RequestLike {
	/** The request headers (`req.headers`). */
	readonly headers: HeadersLike;
	/** The parsed query string; read only when `allowQueryToken` is on. */
	readonly query?: unknown;
	/** The parsed body; read only when `allowBodyToken` is on and the body is form-encoded. */
	readonly body?: unknown;
	/** The request method, for DPoP (`dpop`). */
	readonly method?: string;
	/** The request's absolute URL (`https://api.example.com/v1/products?x=1`), for DPoP (`dpop`). */
	readonly url?: string;
	/** The connection (a `tls.TLSSocket`), for mTLS with `certificate: 'socket'`. */
	readonly socket?: unknown;
}

/**
 * A claim, as an option names it: a claim name (`'permissions'`; when the token has no such claim and
 * the name has dots, it is read as a path into nested objects: `'realm_access.roles'`), or an array,
 * which is always a path (`['resource_access', 'my.api', 'roles']`, for keys with dots of their own).
 * Claims are read only as the token's own members.
 *
 * @example
 * ```ts
 * const roles: ClaimName = ['resource_access', 'my-api', 'roles']
 * ```
 */
export type ClaimName = string | readonly string[];

/** Organization checks: the claim that holds it, whether it is required, its shape, and the request header that must match it. */
export interface OrganizationOptions {
	/** The claim that holds the organization ID, or a path to it (see {@link ClaimName}). Default `'org_id'`. */
	claim?: ClaimName;
	/** Refuse tokens without it (400). Default `true`. */
	required?: boolean;
	/** The shape the ID must have. Default `/^org_[A-Za-z0-9_-]+$/`. */
	pattern?: RegExp;
	/** A request header (e.g. `'x-organization-id'`); when the request has it, it must equal the token's organization. */
	header?: string;
}

/** The JWKS cache's settings. */
export interface JwksOptions {
	/** How long fetched keys are fresh. Default 600 s. */
	cacheMaxAge?: Duration;
	/** The least time between two refetches caused by unknown `kid`s. Default 30 s. */
	cooldown?: Duration;
	/** Timeout of one fetch (discovery or JWKS), body included. Default 5 s. */
	timeout?: Duration;
	/** How long keys keep serving past `cacheMaxAge` while refetches fail. Default 24 h. */
	staleIfError?: Duration;
}

/** A custom check on the verified token; return `false` or throw to refuse it with a 401. */
export type ValidateFn = (auth: AuthResult) => boolean | undefined | Promise<boolean | undefined>;

/** Returns `true` when the token is revoked (key it on `auth.claims.jti`). */
export type IsRevokedFn = (auth: AuthResult) => boolean | Promise<boolean>;

/** The verified-token cache's settings. */
export interface TokenCacheOptions {
	/** Most entries kept. Default 10,000. */
	max?: number;
	/** The longest an entry lives, whatever its `exp`. Default 600 s. */
	maxAge?: Duration;
}

/**
 * Everything the verifier can be told. Every adapter accepts these too; options not given come
 * from `BEARERGUARD_*` environment variables in the adapters.
 */
export interface VerifierOptions {
	/** Accepted `iss` values, matched exactly. Required (or `BEARERGUARD_ISSUER`). */
	issuer?: string | readonly string[];
	/** Accepted audiences: `aud` must contain one. Required (or `BEARERGUARD_AUDIENCE`). */
	audience?: string | readonly string[];
	/** The JWKS URL. Default: discovered from each issuer's metadata. */
	jwksUri?: string;
	/** A shared secret for HS256/384/512; then no JWKS is used. */
	secret?: string | Uint8Array;
	/** Allowed algorithms. Default every asymmetric one, or `['HS256']` with `secret`. */
	algorithms?: readonly Algorithm[];
	/** Leeway for `exp`, `nbf` and `iat`. Default 5 s. */
	clockTolerance?: Duration;
	/** Refuse tokens whose `iat` is older than this. Default: no limit. */
	maxTokenAge?: Duration;
	/** Refuse tokens without `exp`. Default `true`. */
	requireExpiry?: boolean;
	/** Required `typ` header, e.g. `'at+jwt'` (RFC 9068 strict mode). Default: not checked. */
	typ?: string;
	/** Organization checks; `true` means the defaults. Default: off. */
	organization?: OrganizationOptions | boolean;
	/**
	 * Claims merged into `auth.permissions`, each a name or a path (see {@link ClaimName}): one, or a
	 * list (a list of strings is a list of names; wrap a path: `[['resource_access', 'api', 'roles']]`).
	 * Default `['permissions', 'scope', 'scp', 'roles']`.
	 */
	permissionsClaim?: ClaimName | readonly ClaimName[];
	/** Revocation check, run on every request. */
	isRevoked?: IsRevokedFn;
	/** Custom claim check, run on every request. */
	validate?: ValidateFn;
	/** JWKS cache settings. */
	jwks?: JwksOptions;
	/** Longer tokens are refused before parsing. Default 8192 characters. */
	maxTokenLength?: number;
	/** `realm` of every challenge. Default `'api'`. */
	realm?: string;
	/** Accept the token in the `access_token` query parameter (RFC 6750 §2.3). Default `false`. */
	allowQueryToken?: boolean;
	/** Accept the token in a form-encoded body's `access_token` (RFC 6750 §2.2). Default `false`. */
	allowBodyToken?: boolean;
	/** Verified-token cache; `false` turns it off. Default `{ max: 10000, maxAge: 600 }`. */
	tokenCache?: TokenCacheOptions | false;
	/**
	 * The claim checked against `audience`, for providers whose access tokens carry no `aud` (Amazon
	 * Cognito: `'client_id'`). It must be a string or an array of strings, and hold one of `audience`.
	 * Default `'aud'`.
	 */
	audienceClaim?: string;
	/**
	 * The `fetch` every discovery and JWKS request goes through: one that routes through an egress
	 * proxy or trusts a private CA (an undici `dispatcher`). Redirects are still refused and the
	 * timeout and 1 MiB cap still apply. Default: the global `fetch`.
	 */
	fetch?: typeof fetch;
	/**
	 * Load every issuer's keys as soon as the verifier is created, retrying until they are loaded, so
	 * the first request finds them warm (what `ready()` does, without waiting). Default `false`.
	 */
	prefetch?: boolean;
	/**
	 * RFC 9728 protected resource metadata: served at `/.well-known/oauth-protected-resource{path}` by
	 * every adapter, and named by `resource_metadata` in every 401 challenge. Default: off.
	 */
	resource?: ResourceOptions;
	/**
	 * Legacy API keys (`X-API-Key`), checked against stored hashes: a static list or a `lookup`.
	 * Default: off (the header is not read).
	 */
	apiKeys?: ApiKeysOptions;
	/**
	 * Opaque access tokens checked by the issuer's RFC 7662 introspection endpoint. Default: off (a
	 * token that is not a JWT is `401 Malformed token`).
	 */
	introspection?: IntrospectionOptions;
	/**
	 * DPoP-bound tokens (RFC 9449): `Authorization: DPoP` with a `DPoP` proof, checked in full, replays
	 * refused. Default: off (the `DPoP` scheme is another scheme, answered with the bare 401; a token
	 * bound with `cnf.jkt` is refused everywhere, even as `Bearer`).
	 */
	dpop?: DpopOptions;
	/**
	 * Certificate-bound tokens (RFC 8705): `cnf["x5t#S256"]` checked against the request's client
	 * certificate. Default: off (a token bound with `cnf["x5t#S256"]` is refused).
	 */
	mtls?: MtlsOptions;
}

/** What a route requires of a verified token. */
export interface GuardOptions {
	/** Every one of these permissions is required. */
	permissions?: readonly string[];
	/** At least one of these permissions is required. */
	anyPermission?: readonly string[];
	/** Without any token, go on unauthenticated; a bad token still fails. Default `false`. */
	optional?: boolean;
}

/** The options of `requireAuth` in every adapter: verifier options and guard options together. */
export type AuthOptions = VerifierOptions & GuardOptions;

/**
 * A configured verifier. Create one with `createVerifier` and share it: it owns the JWKS and token caches.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer, audience })
 * const auth = await verifier.verify(token)
 * ```
 */
export interface Verifier {
	/** The `realm` of this verifier's challenges. */
	readonly realm: string;
	/**
	 * Verifies a token: signature, claims, `validate`, `isRevoked`, then the organization (whose request
	 * header value, if any, is passed in `context`). Throws a `BearerError`.
	 */
	verify(token: string, context?: VerifyContext): Promise<AuthResult>;
	/**
	 * Compiles a guard once (bad guard options throw a `TypeError` here), and returns the per-request
	 * check: extract the token, verify it, check permissions. Resolves `undefined` only for `optional`
	 * guards when the request carries no credentials.
	 */
	guard(options?: GuardOptions): (request: RequestLike) => Promise<AuthResult | undefined>;
	/**
	 * Resolves once every issuer's keys are loaded (at once with `secret`, or when they already are),
	 * fetching them and retrying after failures (at the JWKS backoff, one loop per key set however many
	 * callers wait). Rejects when the failure is the configuration's (the issuer's metadata names
	 * another issuer), or with `signal`'s reason when it aborts. For start-up and readiness probes.
	 */
	ready(options?: ReadyOptions): Promise<void>;
	/** Per issuer: keys held, last fetch, last error, stale; and whether every issuer is ready. Reads state only. */
	health(): VerifierHealth;
}

/** Options of `verifier.ready()`. */
export interface ReadyOptions {
	/** Stops waiting (the loading goes on in the background), e.g. `AbortSignal.timeout(10_000)`. */
	signal?: AbortSignal;
}

/**
 * What `verifier.health()` reports: `ready` when every issuer has usable keys.
 *
 * @example
 * ```ts
 * app.get('/readyz', (req, res) => { const health = verifier.health(); res.status(health.ready ? 200 : 503).json(health) })
 * ```
 */
export interface VerifierHealth {
	/** Every issuer has usable keys (held, and not past `cacheMaxAge + staleIfError`). */
	readonly ready: boolean;
	/** One entry per configured issuer, in the configured order. */
	readonly issuers: readonly IssuerHealth[];
}

/** The state of one issuer's keys. Times are ISO 8601 strings. */
export interface IssuerHealth {
	/** The configured issuer. */
	readonly issuer: string;
	/** Where its keys come from: a JWKS (configured or discovered) or the shared secret. */
	readonly keySource: "jwks" | "secret";
	/** The JWKS URI, once known (configured, or discovered by a fetch). */
	readonly jwksUri: string | undefined;
	/** Keys can verify a request now. */
	readonly ready: boolean;
	/** Usable signing keys held (0 before the first successful fetch). */
	readonly keys: number;
	/** The keys are older than `jwks.cacheMaxAge`: a refresh failed or is in flight; they serve for `staleIfError`. */
	readonly stale: boolean;
	/** A fetch is in flight. */
	readonly fetching: boolean;
	/** Fetches started (JWKS, with discovery when there is one). */
	readonly fetches: number;
	/** When the last fetch started. */
	readonly lastFetchAt: string | undefined;
	/** When keys were last loaded. */
	readonly lastSuccessAt: string | undefined;
	/** The last failed fetch (kept after a later success: compare `at` with `lastSuccessAt`). */
	readonly lastError: HealthError | undefined;
}

/** A failed fetch of an issuer's metadata or keys, as `health()` reports it. */
export interface HealthError {
	/** When it failed. */
	readonly at: string;
	/** The 503's reason: the JWKS, the metadata, or metadata naming another issuer. */
	readonly reason: "jwks_unavailable" | "discovery_failed" | "discovery_issuer_mismatch";
	/** The fetch's code: `ECONNREFUSED`, `ENOTFOUND`, `TIMEOUT`, `HTTP_STATUS`, `ISSUER_MISMATCH`, ... */
	readonly code: string;
	/** The HTTP status, when an answer came. */
	readonly status: number | undefined;
	/** What happened, naming the URL (for operators: it may show internal host names). */
	readonly message: string;
	/** The failure is the configuration's, not an outage: retrying will not fix it. */
	readonly configuration: boolean;
}

/** Per-request facts that `verify` checks besides the token. */
export interface VerifyContext {
	/** The value of the organization request header, when the request has one. */
	organization?: string | readonly string[];
}

/**
 * The protected resource metadata of RFC 9728 §2 that clients (an MCP client, for one) read to find the
 * authorization server. Member names are the RFC's; every URL is an absolute http(s) URL.
 *
 * @example
 * ```ts
 * const metadata: ProtectedResourceMetadata = {
 *   resource: 'https://api.example.com/mcp',
 *   authorization_servers: ['https://auth.example.com/'],
 *   scopes_supported: ['read', 'write'],
 * }
 * ```
 */
export interface ProtectedResourceMetadata {
	/** The resource identifier: an absolute URL without query or fragment (§1.2). Required. */
	readonly resource: string;
	/** Issuer identifiers of the authorization servers that issue tokens for this resource. */
	readonly authorization_servers?: readonly string[];
	/** The resource's own JWKS (for signed responses), not the issuer's. */
	readonly jwks_uri?: string;
	/** Scope values a client may request for this resource. */
	readonly scopes_supported?: readonly string[];
	/** How a bearer token may be sent: `header`, `body`, `query` (RFC 6750). */
	readonly bearer_methods_supported?: readonly ("header" | "body" | "query")[];
	/** JWS algorithms the resource signs responses with; never `none`. */
	readonly resource_signing_alg_values_supported?: readonly string[];
	/** A human-readable name of the resource. */
	readonly resource_name?: string;
	/** A page of developer documentation. */
	readonly resource_documentation?: string;
	/** A page about how client data is used. */
	readonly resource_policy_uri?: string;
	/** The terms of service. */
	readonly resource_tos_uri?: string;
	/** Whether the resource supports mTLS-bound tokens (RFC 8705). */
	readonly tls_client_certificate_bound_access_tokens?: boolean;
	/** Rich authorization request types the resource understands (RFC 9396). */
	readonly authorization_details_types_supported?: readonly string[];
	/** JWS algorithms accepted for DPoP proofs (RFC 9449). */
	readonly dpop_signing_alg_values_supported?: readonly string[];
	/** Whether the resource always requires DPoP-bound tokens. */
	readonly dpop_bound_access_tokens_required?: boolean;
	/** The metadata as a signed JWT (§2.2), passed through as given. */
	readonly signed_metadata?: string;
	/** A human-readable member in another language (§2.1), e.g. `'resource_name#fr'`. */
	readonly [localized: `${string}#${string}`]: string | undefined;
}

/**
 * The `resource` option: this API's protected resource metadata (RFC 9728).
 *
 * @example
 * ```ts
 * requireAuth({ issuer, audience, resource: { metadata: { resource: 'https://api.example.com', authorization_servers: [issuer] } } })
 * ```
 */
export interface ResourceOptions {
	/** The document served at the metadata URL; `resource` decides that URL (§3.1). */
	readonly metadata: ProtectedResourceMetadata;
}
