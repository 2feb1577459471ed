/**
 * Opaque tokens (and, with `introspection.jwt`, JWTs), checked by the authorization server's RFC 7662
 * introspection endpoint: the endpoint configured or read from the first issuer's metadata, one call at
 * a time per token (concurrent requests share it), the answers cached by the token's hash. A failure of
 * the endpoint (down, slow, garbage, too large, a non-200) is the 503, never a 401.
 */
import type { ResolvedIntrospection } from "../config/introspection.js";
import type { ResolvedOptions } from "../config/options.js";
import { traceFetch } from "../events/fetch.js";
import { InvalidTokenError, invalidToken, TemporarilyUnavailableError } from "../http/errors.js";
import { Discovery } from "../keys/discovery.js";
import { checkTimeClaims } from "../token/claims.js";
import { decodeSegment, parseObject } from "../token/json.js";
import { rethrowFresh } from "./fresh-error.js";
import { IntrospectionCache } from "./introspection-cache.js";
import { introspectToken } from "./introspection-request.js";
import { checkIntrospection, type IntrospectedToken } from "./introspection-response.js";

/** Most tokens introspected at once; a request beyond them is the 503 at once (it protects both servers). */
export const MAX_PENDING_INTROSPECTIONS = 512;
/** After the endpoint could not be discovered, how long requests get the 503 before discovery is tried again. */
const DISCOVERY_BACKOFF_MS = 5000;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Whether a token is JWT-shaped: three base64url segments whose first is a JSON object with `alg`.
 * Any other token is opaque, and introspected when `introspection` is configured.
 *
 * @example
 * ```ts
 * isJwtShaped('eyJhbGciOiJSUzI1NiJ9.e30.c2ln') // true
 * isJwtShaped('2YotnFZFEjr1zCsicMWpAA') // false
 * ```
 */
export function isJwtShaped(token: string): boolean {
	if (!COMPACT_JWS.test(token)) return false;
	const header = parseObject(decodeSegment(token.slice(0, token.indexOf("."))));
	return typeof header?.alg === "string";
}

function unavailable(cause: unknown): TemporarilyUnavailableError {
	return new TemporarilyUnavailableError("introspection_failed", 1, { cause });
}

/** The introspection of one verifier. */
export class Introspector {
	/** `introspection.jwt`: JWTs are introspected too. */
	readonly all: boolean;
	readonly cache: IntrospectionCache;
	/** Calls made to the endpoint (for tests and metrics). */
	calls = 0;
	/** The issuer whose endpoint answers: an answer without `iss` is attributed to it. */
	private readonly issuer: string;
	private readonly settings: ResolvedIntrospection;
	private readonly pending = new Map<string, Promise<IntrospectedToken>>();
	private endpoint: string | undefined;
	/** Where the endpoint is found when it is not configured: the first issuer's metadata. */
	private readonly metadata: Discovery;
	private discovering: Promise<string> | undefined;
	private discoveryFailure: { readonly at: number; readonly error: unknown } | undefined;

	constructor(
		private readonly options: ResolvedOptions,
		discovery: Discovery | undefined,
	) {
		this.settings = options.introspection as ResolvedIntrospection;
		this.all = this.settings.jwt;
		this.issuer = options.issuers[0] as string;
		this.endpoint = this.settings.endpoint;
		this.metadata = discovery ?? new Discovery(this.issuer, this.settings.timeout, options.fetch);
		this.cache = new IntrospectionCache(this.settings.cacheMaxEntries, this.settings.cacheMaxAge);
	}

	/** The cached entry of an active token at `now` (Unix milliseconds), found without hashing it. */
	hit(token: string, now: number): IntrospectedToken | undefined {
		return this.cache.hit(token, now);
	}

	/**
	 * The cached answer for the token whose key is `key` at `now` (Unix milliseconds): its entry,
	 * `undefined` when nothing is cached; a token refused within the last seconds throws its 401 again.
	 */
	cached(key: string, now: number): IntrospectedToken | undefined {
		const hit = this.cache.get(key, now);
		if (typeof hit === "string") throw invalidToken(hit);
		return hit;
	}

	/**
	 * Introspects the token (whose cache key is `key`): one call for all concurrent requests with it.
	 * Resolves its entry once its claims and clock pass; rejects with the 401 (cached for a few
	 * seconds) or the 503.
	 */
	introspect(key: string, token: string): Promise<IntrospectedToken> {
		const pending = this.pending.get(key);
		if (pending !== undefined) return pending.catch(rethrowFresh);
		if (this.pending.size >= MAX_PENDING_INTROSPECTIONS) {
			return Promise.reject(
				unavailable(new Error(`over ${MAX_PENDING_INTROSPECTIONS} tokens are being introspected at once`)),
			);
		}
		const call = this.call(key, token).then(
			(entry) => {
				this.pending.delete(key);
				return entry;
			},
			(error: unknown) => {
				this.pending.delete(key);
				throw error;
			},
		);
		this.pending.set(key, call);
		return call.catch(rethrowFresh);
	}

	private async call(key: string, token: string): Promise<IntrospectedToken> {
		const endpoint = this.endpoint ?? (await this.discoverEndpoint());
		this.calls++;
		let answer: Record<string, unknown>;
		try {
			answer = await traceFetch("introspection", endpoint, this.issuer, () =>
				introspectToken(endpoint, token, this.settings, this.options.fetch),
			);
		} catch (cause) {
			throw unavailable(cause);
		}
		const now = Date.now();
		try {
			const entry = checkIntrospection(answer, token, this.options, this.issuer);
			checkTimeClaims(entry.auth.claims, this.options, now / 1000);
			this.cache.offer(key, entry, entry.auth.expiresAt, now);
			return entry;
		} catch (error) {
			if (error instanceof InvalidTokenError) this.cache.refuse(key, error.reason, now);
			throw error;
		}
	}

	/** The endpoint from the first issuer's metadata: one discovery at a time, retried after a backoff. */
	private discoverEndpoint(): Promise<string> {
		const failure = this.discoveryFailure;
		if (failure !== undefined && Date.now() - failure.at < DISCOVERY_BACKOFF_MS) {
			return Promise.reject(unavailable(failure.error));
		}
		if (this.discovering !== undefined) return this.discovering;
		this.discovering = this.metadata.introspectionEndpoint().then(
			(endpoint) => {
				this.endpoint = endpoint;
				this.discovering = undefined;
				this.discoveryFailure = undefined;
				return endpoint;
			},
			(error: unknown) => {
				// The discovery's 503 names the fetch that failed as its cause.
				const cause = error instanceof TemporarilyUnavailableError ? (error.cause ?? error) : error;
				this.discoveryFailure = { at: Date.now(), error: cause };
				this.discovering = undefined;
				throw unavailable(cause);
			},
		);
		return this.discovering;
	}
}
