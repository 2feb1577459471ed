/**
 * The public types of the credentials besides JWTs: API keys (`apiKeys`) and opaque tokens checked by
 * RFC 7662 introspection (`introspection`). Types only, at the bottom of the core with `types.ts`.
 */
import type { X509Certificate } from "node:crypto";
import type { Duration } from "./types.js";

/**
 * One API key as it is stored: only its hash, never the key. `hashApiKey(key)` gives the hash.
 *
 * @example
 * ```ts
 * const record: ApiKeyRecord = { hash: hashApiKey(key), subject: 'svc_reports', permissions: ['read'] }
 * ```
 */
export interface ApiKeyRecord {
	/** Lowercase hex SHA-256 of the key's UTF-8 bytes (64 characters): what `hashApiKey(key)` returns. */
	readonly hash: string;
	/** `auth.subject` of requests made with the key (the client, a service account, a user). */
	readonly subject: string;
	/** `auth.organization`, checked as a token's organization claim when `organization` is configured. */
	readonly organization?: string;
	/** `auth.permissions`: what the key may do (permission names, as in a token's `permissions`). */
	readonly permissions: readonly string[];
	/** When the key stops working (then `401 Invalid API key`). Default: never. */
	readonly expiresAt?: Date;
	/** A label for people (`auth.claims.name`, logs), e.g. `'nightly export'`. */
	readonly name?: string;
}

/**
 * Finds the record of a key by its hash (lowercase hex SHA-256), in your database or key store:
 * `undefined` (or `null`) for an unknown key. A throw or a rejection is the 503, never a 401.
 *
 * @example
 * ```ts
 * const lookup: ApiKeyLookup = async (hash) => (await db.apiKeys.findOne({ hash })) ?? undefined
 * ```
 */
export type ApiKeyLookup = (
	hash: string,
) => ApiKeyRecord | undefined | null | Promise<ApiKeyRecord | undefined | null>;

/**
 * Which keys are accepted before any hash or lookup: `'bearerguard'` (the format of `generateApiKey()`:
 * `bgk_`, 43 base62 characters and a 6-character checksum, so a mistyped or random key is refused at
 * once), `'any'` (any key of visible ASCII characters, for keys issued before), or a `RegExp` that a
 * legacy key must match in full.
 *
 * @example
 * ```ts
 * const formats: ApiKeyFormat[] = ['bearerguard', /^sk_live_[A-Za-z0-9]{32}$/]
 * ```
 */
export type ApiKeyFormat = "bearerguard" | "any" | RegExp;

/**
 * Deprecation headers on every answer to a request made with an API key, so its clients learn to move
 * to OAuth: `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and `Link: <...>; rel="deprecation"`.
 *
 * @example
 * ```ts
 * const deprecation: ApiKeyDeprecation = { since: '2026-01-01', sunset: '2027-01-01', link: 'https://developer.example.com/migrate-to-oauth' }
 * ```
 */
export interface ApiKeyDeprecation {
	/** Since when keys are deprecated: `Deprecation: @<Unix seconds>`. A `Date` or an ISO 8601 string. Default: `@0` (deprecated, no date given). */
	since?: Date | string;
	/** When keys stop working: `Sunset: <HTTP-date>`. A `Date` or an ISO 8601 string. Default: no `Sunset`. */
	sunset?: Date | string;
	/** An absolute http(s) URL of the migration guide: `Link: <url>; rel="deprecation"; type="text/html"`. */
	link?: string;
}

/** The cache of `lookup` results: bounded in entries, each kept for `maxAge` at most. */
export interface ApiKeyCacheOptions {
	/** Most keys remembered (found ones; unknown ones have a store of the same size of their own). Default 10,000. */
	max?: number;
	/** How long a found key is remembered (an unknown one: 5 s at most). Default 60 s. */
	maxAge?: Duration;
}

/**
 * The `apiKeys` option: legacy API keys in a request header (and, when named, a query parameter),
 * checked against stored hashes. Give `keys`, `lookup`, or both (the list is searched first).
 *
 * @example
 * ```ts
 * requireAuth({ issuer, audience, apiKeys: { keys: [{ hash, subject: 'svc_reports', permissions: ['read'] }], deprecation: { sunset: '2027-01-01' } } })
 * ```
 */
export interface ApiKeysOptions {
	/** The request header that carries the key. Default `'x-api-key'`. */
	header?: string;
	/** A query parameter that may carry the key (e.g. `'api_key'`). Default: none (URLs end up in logs). */
	query?: string;
	/** A static list of stored keys. */
	keys?: readonly ApiKeyRecord[];
	/** Finds a key's record by hash; results are cached (see `cache`), one call at a time per key. */
	lookup?: ApiKeyLookup;
	/** The accepted key formats (one, or a list). Default `'bearerguard'`. */
	format?: ApiKeyFormat | readonly ApiKeyFormat[];
	/** The cache of `lookup` results; `false` calls `lookup` on every request. Default `{ max: 10000, maxAge: 60 }`. */
	cache?: ApiKeyCacheOptions | false;
	/** How long one `lookup` may take before the request is answered 503. Default 5 s. */
	timeout?: Duration;
	/** Deprecation headers on every answer to a key request. Default: none. */
	deprecation?: ApiKeyDeprecation;
}

/**
 * The `introspection` option: opaque access tokens (and, with `jwt: true`, JWTs too) checked by the
 * authorization server's RFC 7662 introspection endpoint.
 *
 * @example
 * ```ts
 * requireAuth({ issuer, audience, introspection: { clientId: 'orders-api', clientSecret: process.env.INTROSPECTION_SECRET! } })
 * ```
 */
export interface IntrospectionOptions {
	/** The endpoint URL. Default: `introspection_endpoint` of the (first) issuer's discovered metadata. */
	endpoint?: string;
	/** This resource server's client ID at the authorization server. Required. */
	clientId: string;
	/** Its client secret. Required. */
	clientSecret: string;
	/** How the client authenticates (RFC 6749 §2.3.1): HTTP Basic, or in the form body. Default `'client_secret_basic'`. */
	auth?: "client_secret_basic" | "client_secret_post";
	/** The longest an active token's answer is cached (never past its `exp`). Default 60 s. */
	cacheMaxAge?: Duration;
	/** Most tokens whose answers are cached (active ones; inactive ones have a store of the same size). Default 10,000. */
	cacheMaxEntries?: number;
	/** Timeout of one introspection call, body included. Default 5 s. */
	timeout?: Duration;
	/** Introspect JWTs too, instead of verifying their signature (instant revocation, a call per cache miss). Default `false`. */
	jwt?: boolean;
}

/**
 * Where one-time keys are claimed: a DPoP proof's `jti` is accepted once within its window (RFC 9449
 * §11.1). `claim` answers `true` the first time a key is claimed before `expiresAt`, `false` every time
 * after; a throw or rejection is the 503 (never a let-through). The default is in memory, per process;
 * `createReplayStore(client)` of `@bearerguard/redis` makes it hold across instances.
 *
 * @example
 * ```ts
 * const seen = new Set<string>()
 * const replay: ReplayStore = { claim: (key) => !seen.has(key) && Boolean(seen.add(key)) }
 * ```
 */
export interface ReplayStore {
	/** `true` the first time `key` is claimed before `expiresAt`; `false` after. */
	claim(key: string, expiresAt: Date): boolean | Promise<boolean>;
}

/**
 * The `dpop` option: accept DPoP-bound tokens (RFC 9449), sent as `Authorization: DPoP <token>` with one
 * `DPoP: <proof>` header.
 *
 * @example
 * ```ts
 * const dpop: DpopOptions = { mode: 'required', nonce: { secret: process.env.DPOP_NONCE_SECRET! } }
 * ```
 */
export interface DpopOptions {
	/** `'allowed'` (default) takes `Bearer` and `DPoP` tokens; `'required'` refuses `Bearer`. */
	mode?: "allowed" | "required";
	/**
	 * The proofs' accepted `alg`s, asymmetric only. Default `['ES256', 'Ed25519', 'EdDSA', 'PS256', 'RS256']`;
	 * also `ES384`, `ES512`, `PS384`, `PS512`, `RS384`, `RS512`.
	 */
	algorithms?: readonly string[];
	/** How old a proof's `iat` may be (plus `clockTolerance`). Default `300` (seconds), or `'5m'`. */
	proofMaxAge?: Duration;
	/**
	 * Require a server nonce in proofs (RFC 9449 §9). Nonces are an HMAC of a time step under `secret`,
	 * so every instance given the same secret accepts another's. `step` default `300` seconds.
	 */
	nonce?: { secret: string | Uint8Array; step?: Duration };
	/**
	 * Where proofs' `jti`s are claimed. Default: in memory, at most 100,000 keys (when full it forgets the
	 * oldest and refuses any proof not newer than those it forgot). Use `createReplayStore` of
	 * `@bearerguard/redis` on a fleet.
	 */
	replay?: ReplayStore;
}

/**
 * A client certificate, as a function of {@link MtlsOptions.certificate} returns it: a `X509Certificate`,
 * its DER bytes, or its PEM text (URL-encoded PEM too, as nginx's `$ssl_client_escaped_cert` sends it);
 * `undefined` when the request has none.
 */
export type ClientCertificate = X509Certificate | Uint8Array | string | undefined;

/**
 * The `mtls` option: certificate-bound tokens (RFC 8705 §3), whose `cnf["x5t#S256"]` must be the SHA-256
 * thumbprint of the request's client certificate.
 *
 * @example
 * ```ts
 * const mtls: MtlsOptions = { certificate: { header: 'x-client-cert' } } // behind a TLS-terminating proxy you trust
 * ```
 */
export interface MtlsOptions {
	/**
	 * Where the client certificate comes from: `'socket'` (default: the TLS connection, for a server
	 * that requests client certificates), `{ header }` (a header that a TLS-terminating proxy you trust
	 * sets, and strips from what clients send: URL-encoded PEM, PEM or base64 DER), or a function of the
	 * framework's request (Express `req`, Koa `ctx`, Fastify `request`, Hono `c`, Nest's platform request).
	 */
	certificate?: "socket" | { header: string } | ((request: unknown) => ClientCertificate);
	/** Refuse tokens that are not certificate-bound (`401 invalid_token`). Default `false`. */
	required?: boolean;
}
