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
	 * Milliseconds to wait before answering (e.g. to trigger a client's fetch timeout).
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
	/** Generates a new key pair and kid for every asymmetric algorithm. */
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
