import type { KeyObject, webcrypto } from "node:crypto";
import type { JWK } from "jose";

/**
 * A JWS algorithm the test issuer can sign with.
 *
 * Asymmetric algorithms get one key pair each (RSA 2048 bits, ES256 P-256, ES384 P-384,
 * ES512 P-521, EdDSA Ed25519); the HS algorithms share one secret.
 *
 * @example
 * ```ts
 * const algorithms: TestAlgorithm[] = ["RS256", "ES256"];
 * ```
 */
export type TestAlgorithm =
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

/**
 * A duration: seconds as a number, or a string such as `'30s'`, `'10m'`, `'24h'`, `'2d'`
 * (a bare `'90'` is seconds; a leading `-` makes it negative).
 *
 * @example
 * ```ts
 * const ttl: TestDuration = "10m"; // 600 seconds
 * ```
 */
export type TestDuration = number | string;

/**
 * Options of {@link createTestIssuer}. Every option is checked when the issuer is created;
 * a bad value is a `TypeError`.
 *
 * @example
 * ```ts
 * const options: TestIssuerOptions = { algorithms: ["RS256", "HS256"], issuerPath: "/tenant-a" };
 * ```
 */
export interface TestIssuerOptions {
	/**
	 * Algorithms to sign with; the first is the default of {@link TestIssuer.sign}. One key pair
	 * is generated per asymmetric algorithm; HS algorithms use {@link TestIssuer.secret}.
	 * @defaultValue `['RS256']`
	 */
	algorithms?: TestAlgorithm[];
	/**
	 * Default `aud` claim of minted tokens.
	 * @defaultValue `'https://api.example.test'`
	 */
	audience?: string;
	/**
	 * Interface to listen on; also the host of the issuer URL (IPv6 addresses are bracketed).
	 * @defaultValue `'127.0.0.1'`
	 */
	host?: string;
	/**
	 * TCP port to listen on; `0` picks a free one.
	 * @defaultValue `0`
	 */
	port?: number;
	/**
	 * Which metadata documents are served: `'openid'` (`{issuer}/.well-known/openid-configuration`),
	 * `'oauth'` (RFC 8414 `{origin}/.well-known/oauth-authorization-server{issuerPath}`),
	 * `'both'` or `'none'` (both answer 404).
	 * @defaultValue `'both'`
	 */
	discovery?: "openid" | "oauth" | "both" | "none";
	/**
	 * Path suffix of the issuer URL, e.g. `'/tenant-a'`; a missing leading `/` is added and
	 * trailing `/` are dropped.
	 * @defaultValue `''` (the issuer is the bare origin)
	 */
	issuerPath?: string;
	/**
	 * Derives every key from this string: the same seed gives the same keys and kids for every
	 * algorithm (generation 0, and generation `n` after `n` calls of {@link TestIssuer.rotateKeys}),
	 * the same HS secret, introspection client and {@link TestIssuer.dpopKey}, in every process and
	 * every run. A fresh issuer per test then publishes the keys a long-lived verifier already
	 * holds. Derived keys are cached in memory (an RSA key costs tens of milliseconds once).
	 * Test keys only: anyone who knows the seed can sign.
	 * @defaultValue none (random keys)
	 */
	seed?: string;
	/**
	 * Private JWKs to sign with, one per asymmetric algorithm, each with its `alg` (e.g. a key
	 * exported from another issuer). A key's own `kid` is kept, else its RFC 7638 thumbprint is
	 * the kid. Algorithms without a given key get seeded or random keys; rotations always do.
	 * @defaultValue none
	 */
	keys?: JWK[];
	/**
	 * The client that may call the introspection endpoint.
	 * @defaultValue random per issuer; derived from {@link TestIssuerOptions.seed} when given
	 */
	introspectionClient?: IntrospectionClient;
}

/**
 * Credentials of the client allowed to call the introspection endpoint (RFC 7662 §2.1), by
 * `client_secret_basic` or `client_secret_post` (RFC 6749 §2.3.1).
 *
 * @example
 * ```ts
 * const client: IntrospectionClient = { clientId: "resource-server", clientSecret: "s3cret" };
 * ```
 */
export interface IntrospectionClient {
	readonly clientId: string;
	readonly clientSecret: string;
}

/**
 * Options of {@link TestIssuer.sign}.
 *
 * @example
 * ```ts
 * await issuer.sign({}, { expiresIn: "-1m" }); // an expired token
 * await issuer.sign({}, { expiresIn: null }); // a token without `exp`
 * ```
 */
export interface SignOptions {
	/**
	 * Lifetime: `exp` is now plus this many seconds (or a {@link TestDuration} string); negative
	 * values mint expired tokens; `null` or `false` leaves `exp` out.
	 * @defaultValue `3600`
	 */
	expiresIn?: TestDuration | null | false;
	/**
	 * When set, `nbf` is now plus this many seconds (or a {@link TestDuration} string).
	 * @defaultValue none (no `nbf` claim)
	 */
	notBefore?: TestDuration;
	/**
	 * The `kid` header parameter.
	 * @defaultValue the current key's kid for `alg`; none for HS algorithms
	 */
	kid?: string;
	/**
	 * Algorithm, and so key, to sign with. Asymmetric algorithms must be configured on the issuer;
	 * HS algorithms always work, with {@link TestIssuer.secret}.
	 * @defaultValue the first of the issuer's algorithms
	 */
	alg?: TestAlgorithm;
	/**
	 * Protected header parameters merged over `{ alg, kid }` (e.g. `typ`, `crit`, `jku`); a
	 * parameter set to `undefined` is removed. Names listed in `crit` must be present.
	 * @defaultValue `{}`
	 */
	header?: Record<string, unknown>;
	/**
	 * The `iat` claim, in seconds since the epoch.
	 * @defaultValue now
	 */
	iat?: number;
	/**
	 * Binds the token to a DPoP key (RFC 9449 §6): adds `cnf.jkt`, the key's thumbprint.
	 * @defaultValue none
	 */
	dpopKey?: DpopKey;
	/**
	 * Binds the token to a client certificate (RFC 8705 §3.1), PEM or DER: adds
	 * `cnf["x5t#S256"]`, its {@link certificateThumbprint}.
	 * @defaultValue none
	 */
	certificate?: string | Uint8Array;
	/**
	 * Members of the `cnf` claim, under those of `dpopKey` and `certificate` (a `cnf` in the
	 * claims replaces the whole claim).
	 * @defaultValue none
	 */
	cnf?: Record<string, unknown>;
}

/**
 * Options of {@link TestIssuer.issueOpaqueToken}.
 *
 * @example
 * ```ts
 * const token = issuer.issueOpaqueToken({ scope: "read" }, { expiresIn: "5m" });
 * ```
 */
export interface OpaqueTokenOptions {
	/**
	 * Lifetime in seconds (or a {@link TestDuration} string); negative values make a token
	 * introspection already answers inactive; `null` or `false` leaves `exp` out.
	 * @defaultValue `3600`
	 */
	expiresIn?: TestDuration | null | false;
	/** Binds the token to a DPoP key: `cnf.jkt`, and `token_type: 'DPoP'`. */
	dpopKey?: DpopKey;
	/** Binds the token to a client certificate (PEM or DER): `cnf["x5t#S256"]`. */
	certificate?: string | Uint8Array;
	/** Members of the `cnf` claim, under those of `dpopKey` and `certificate`. */
	cnf?: Record<string, unknown>;
}

/**
 * Options of {@link TestIssuer.rotateKeys}.
 *
 * @example
 * ```ts
 * await issuer.rotateKeys({ keepOld: false });
 * ```
 */
export interface RotateKeysOptions {
	/**
	 * Keep serving every public key served before the rotation, after the new ones.
	 * @defaultValue `true`
	 */
	keepOld?: boolean;
}

/**
 * How {@link TestIssuer.setJwks} answers JWKS requests.
 *
 * @example
 * ```ts
 * issuer.setJwks({ error: "boom" }, { status: 500, delay: 50 });
 * ```
 */
export interface JwksResponseOptions {
	/**
	 * HTTP status code.
	 * @defaultValue `200`
	 */
	status?: number;
	/**
	 * Milliseconds to wait before answering (e.g. to trigger a client's fetch timeout);
	 * `Infinity` (or more than 2^31 - 1) never answers, until {@link TestIssuer.close}.
	 * @defaultValue `0`
	 */
	delay?: number;
	/**
	 * Response headers set over the defaults (`Content-Type: application/json`,
	 * `Cache-Control: max-age=300`).
	 * @defaultValue `{}`
	 */
	headers?: Record<string, string>;
}

/**
 * How {@link TestIssuer.setIntrospection} answers introspection requests.
 *
 * @example
 * ```ts
 * issuer.setIntrospection("not json", { status: 200 });
 * issuer.setIntrospection({ active: true }, { delay: Number.POSITIVE_INFINITY }); // hangs
 * ```
 */
export interface IntrospectionResponseOptions {
	/**
	 * HTTP status code.
	 * @defaultValue `200`
	 */
	status?: number;
	/**
	 * Milliseconds to wait before answering; `Infinity` (or more than 2^31 - 1) never answers,
	 * until {@link TestIssuer.close}.
	 * @defaultValue `0`
	 */
	delay?: number;
	/**
	 * Response headers set over the defaults (`Content-Type: application/json`,
	 * `Cache-Control: no-store`).
	 * @defaultValue `{}`
	 */
	headers?: Record<string, string>;
}

/**
 * Counters of HTTP requests answered with a document.
 *
 * @example
 * ```ts
 * const { discovery, jwks } = issuer.requests;
 * ```
 */
export interface TestIssuerRequests {
	/** Metadata documents served (both kinds counted together). */
	readonly discovery: number;
	/** JWKS responses served, including those replaced by {@link TestIssuer.setJwks}. */
	readonly jwks: number;
	/** Requests to the introspection endpoint, answered or refused, real or replaced. */
	readonly introspection: number;
}

/** A public key or a private key (or, for HS algorithms, the shared secret). */
export type TestKey = webcrypto.CryptoKey | KeyObject;

/**
 * A running local issuer: metadata and JWKS over HTTP on loopback, a client-credentials token
 * endpoint at `{issuer}/oauth/token`, and a token minter. Its methods may be passed around
 * unbound (e.g. `afterAll(issuer.close)`).
 *
 * @example
 * ```ts
 * const issuer = await createTestIssuer();
 * const token = await issuer.sign({ permissions: ["read"] });
 * await issuer.close();
 * ```
 */
export interface TestIssuer {
	/** Issuer URL, e.g. `'http://127.0.0.1:54321/tenant-a'`, without a trailing slash. */
	readonly issuer: string;
	/** JWKS URL: `{origin}/.well-known/jwks.json{issuerPath}`. */
	readonly jwksUri: string;
	/** Default `aud` of minted tokens. */
	readonly audience: string;
	/** The HS shared secret (64 random bytes, base64url); present even with no HS algorithm. */
	readonly secret: string;
	/** Token endpoint URL: `{issuer}/oauth/token`. */
	readonly tokenEndpoint: string;
	/** Introspection endpoint URL (RFC 7662): `{issuer}/oauth/introspect`. */
	readonly introspectionEndpoint: string;
	/** The client the introspection endpoint accepts. */
	readonly introspectionClient: IntrospectionClient;
	/** The issuer's own ES256 DPoP key: the default of {@link TestIssuer.dpopProof}. */
	readonly dpopKey: DpopKey;
	/** A copy of the real public JWKS (ignores {@link TestIssuer.setJwks}). */
	readonly jwks: { keys: JWK[] };
	/** A snapshot of the request counters. */
	readonly requests: TestIssuerRequests;
	/**
	 * Mints a signed JWT. Default claims are `iss`, `sub: 'user_123'`, `aud`, `iat`, `exp`
	 * (now + 3600 s) and `jti` (a random UUID); `claims` override them, and a claim set to
	 * `undefined` is removed.
	 */
	sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
	/**
	 * Mints an opaque access token (32 random bytes, base64url: not JWT-shaped) that the
	 * introspection endpoint answers `active: true` for, with `client_id: 'client_123'`,
	 * `sub: 'user_123'`, `aud`, `iss`, `iat`, `exp` (now + 3600 s), `token_type` and, over them,
	 * `claims` (a claim set to `undefined` is removed). At most 10,000 are kept; the oldest goes.
	 */
	issueOpaqueToken(claims?: Record<string, unknown>, options?: OpaqueTokenOptions): string;
	/**
	 * Revokes a token: introspection answers `{"active":false}` for it from now on. Works for
	 * opaque tokens and for JWTs (kept by hash until their `exp`; at most 10,000).
	 */
	revoke(token: string): void;
	/**
	 * Serves `body` for introspection requests instead of the real answer (client
	 * authentication included) until `setIntrospection(undefined)`. A string is sent verbatim;
	 * anything else as JSON.
	 */
	setIntrospection(body: unknown, options?: IntrospectionResponseOptions): void;
	/**
	 * A DPoP proof (RFC 9449 §4) signed with `options.key`, else {@link TestIssuer.dpopKey}.
	 * See {@link createDpopProof}.
	 */
	dpopProof(options: IssuerDpopProofOptions): Promise<string>;
	/**
	 * A new API key for `apiKeys.keys` of bearerguard: the key, its SHA-256 hash and the
	 * record holding only the hash. See {@link createTestApiKey}.
	 */
	apiKey(options: TestApiKeyOptions): TestApiKey;
	/**
	 * Generates a new key pair and kid for every asymmetric algorithm (derived from the seed,
	 * generation `n` at the `n`-th rotation, when the issuer has one).
	 */
	rotateKeys(options?: RotateKeysOptions): Promise<void>;
	/** The current public key for `alg` (default: the first algorithm); the secret for HS. */
	publicKey(alg?: TestAlgorithm): TestKey;
	/** The current private key for `alg` (default: the first algorithm); the secret for HS. */
	privateKey(alg?: TestAlgorithm): TestKey;
	/**
	 * Serves `body` for JWKS requests instead of the real JWKS until `setJwks(undefined)`. A
	 * string is sent verbatim (so invalid JSON can be served); anything else as JSON.
	 */
	setJwks(body: unknown, options?: JwksResponseOptions): void;
	/** Stops the server and destroys every open connection; resolves promptly. Idempotent. */
	close(): Promise<void>;
}

/**
 * An algorithm {@link createDpopKey} makes keys for. `Ed25519` (RFC 9864) and `EdDSA` are the
 * same Ed25519 key; the name is the proof's `alg`.
 *
 * @example
 * ```ts
 * const alg: DpopAlgorithm = "Ed25519";
 * ```
 */
export type DpopAlgorithm = "ES256" | "Ed25519" | "EdDSA" | "PS256" | "RS256";

/**
 * A DPoP key pair (RFC 9449) with its public JWK and thumbprint.
 *
 * @example
 * ```ts
 * const key: DpopKey = await createDpopKey("ES256");
 * key.jkt; // the value of a bound token's cnf.jkt
 * ```
 */
export interface DpopKey {
	/** The proof's `alg`. */
	readonly alg: DpopAlgorithm;
	readonly publicKey: webcrypto.CryptoKey;
	readonly privateKey: webcrypto.CryptoKey;
	/** The public JWK (public members only), as a proof's `jwk` header carries it. */
	readonly publicJwk: JWK;
	/** RFC 7638 SHA-256 thumbprint of {@link DpopKey.publicJwk}, base64url. */
	readonly jkt: string;
}

/**
 * Options of {@link createDpopProof}: the request a proof is for, and overrides to forge
 * broken proofs.
 *
 * @example
 * ```ts
 * const options: DpopProofOptions = { method: "GET", url: "http://localhost:3000/v1/products", token };
 * ```
 */
export interface DpopProofOptions {
	/** The `htm` claim: the request's HTTP method, as given (e.g. `'GET'`). */
	method: string;
	/** The request URL; `htu` is it without query and fragment. */
	url: string | URL;
	/** The access token: `ath` is base64url(SHA-256(token)). Leave out at the token endpoint. */
	token?: string;
	/** The `nonce` claim (RFC 9449 §8), when the server asked for one. */
	nonce?: string;
	/**
	 * The `iat` claim, in seconds since the epoch.
	 * @defaultValue now
	 */
	iat?: number;
	/**
	 * The `jti` claim.
	 * @defaultValue a random UUID
	 */
	jti?: string;
	/**
	 * The `alg` to sign with; it must suit the key (`EdDSA` and `Ed25519` name the same key; an
	 * RSA or EC key is bound to its hash).
	 * @defaultValue the key's `alg`
	 */
	alg?: string;
	/**
	 * Header parameters merged over `{ typ: 'dpop+jwt', alg, jwk }`; `undefined` removes one
	 * (e.g. `{ typ: 'JWT' }`, `{ jwk: privateJwk }`, `{ jwk: undefined }`).
	 * @defaultValue `{}`
	 */
	header?: Record<string, unknown>;
	/**
	 * Claims merged over `{ htm, htu, iat, jti, ath?, nonce? }`; `undefined` removes one
	 * (e.g. `{ ath: undefined }`, `{ htu: "https://elsewhere.example/" }`).
	 * @defaultValue `{}`
	 */
	claims?: Record<string, unknown>;
}

/**
 * Options of {@link TestIssuer.dpopProof}: those of {@link createDpopProof}, and the key.
 *
 * @example
 * ```ts
 * await issuer.dpopProof({ method: "GET", url, token, key: await createDpopKey("Ed25519") });
 * ```
 */
export interface IssuerDpopProofOptions extends DpopProofOptions {
	/**
	 * The key to sign with.
	 * @defaultValue {@link TestIssuer.dpopKey}
	 */
	key?: DpopKey;
}

/**
 * Options of {@link createTestCertificates}.
 *
 * @example
 * ```ts
 * const options: TestCertificatesOptions = { clients: ["service-a", "service-b"], keyType: "rsa" };
 * ```
 */
export interface TestCertificatesOptions {
	/**
	 * Common names of the client certificates, one certificate each.
	 * @defaultValue `['client']`
	 */
	clients?: string[];
	/**
	 * DNS names and IP addresses of the server certificate.
	 * @defaultValue `['localhost', '127.0.0.1', '::1']`
	 */
	serverNames?: string[];
	/**
	 * Key type of every certificate: `'ec'` (P-256, ECDSA with SHA-256) or `'rsa'` (2048 bits,
	 * RSASSA-PKCS1-v1_5 with SHA-256).
	 * @defaultValue `'ec'`
	 */
	keyType?: "ec" | "rsa";
	/**
	 * Lifetime of every certificate, from one hour ago (for clock skew); seconds or a
	 * {@link TestDuration} string.
	 * @defaultValue `'1d'`
	 */
	validFor?: TestDuration;
}

/**
 * A PEM private key (PKCS #8) and its PEM certificate.
 *
 * @example
 * ```ts
 * const { key, cert } = certificates.server;
 * ```
 */
export interface PemKeyPair {
	readonly key: string;
	readonly cert: string;
}

/**
 * A client certificate with its key, common name and `x5t#S256` thumbprint.
 *
 * @example
 * ```ts
 * await issuer.sign({}, { certificate: certificates.client.cert });
 * ```
 */
export interface TestClientCertificate extends PemKeyPair {
	readonly commonName: string;
	/** base64url(SHA-256(DER)): the `cnf["x5t#S256"]` of a token bound to it. */
	readonly thumbprint: string;
}

/**
 * A test CA and the server and client certificates it signed (RFC 8705 tests).
 *
 * @example
 * ```ts
 * const { ca, server, client } = await createTestCertificates();
 * https.createServer({ key: server.key, cert: server.cert, ca: ca.cert, requestCert: true });
 * ```
 */
export interface TestCertificates {
	/** The self-signed CA: trust `ca.cert` on both sides. */
	readonly ca: PemKeyPair;
	/** For a TLS server on loopback (`serverAuth`). */
	readonly server: PemKeyPair;
	/** Every client certificate (`clientAuth`), in the order of `options.clients`. */
	readonly clients: readonly TestClientCertificate[];
	/** The first client certificate. */
	readonly client: TestClientCertificate;
}

/**
 * What an API key grants, for {@link createTestApiKey} and {@link TestIssuer.apiKey}.
 *
 * @example
 * ```ts
 * const options: TestApiKeyOptions = { subject: "svc_reports", permissions: ["read"], organization: "org_acme" };
 * ```
 */
export interface TestApiKeyOptions {
	/** The `auth.subject` of requests with the key. */
	subject: string;
	/** The permissions the key grants. */
	permissions: string[];
	/** The organization of requests with the key. */
	organization?: string;
	/** When the key stops working. */
	expiresAt?: Date;
	/** A label for people (e.g. in logs). */
	name?: string;
}

/**
 * A stored API key, as bearerguard's `apiKeys.keys` option takes it: only the key's hash.
 *
 * @example
 * ```ts
 * const record: ApiKeyRecord = { hash, subject: "svc_reports", permissions: ["read"] };
 * ```
 */
export interface ApiKeyRecord {
	/** Lowercase hex SHA-256 of the key's UTF-8 bytes. */
	readonly hash: string;
	readonly subject: string;
	readonly organization?: string;
	readonly permissions: readonly string[];
	readonly expiresAt?: Date;
	readonly name?: string;
}

/**
 * A new API key, its hash and its record.
 *
 * @example
 * ```ts
 * const { key, record } = issuer.apiKey({ subject: "svc_reports", permissions: ["read"] });
 * ```
 */
export interface TestApiKey {
	/** `bgk_` + 43 base62 characters + a 6-character base62 CRC-32 checksum (53 in all). */
	readonly key: string;
	/** Lowercase hex SHA-256 of the key. */
	readonly hash: string;
	readonly record: ApiKeyRecord;
}
