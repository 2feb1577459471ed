/**
 * `verifier.health()` and `verifier.ready()`: what each issuer's key cache holds, and a loop that loads
 * the keys, retrying after failures at the JWKS backoff, until every issuer has them.
 */
import type { ResolvedOptions } from "../config/options.js";
import { TemporarilyUnavailableError } from "../http/errors.js";
import type { HealthError, IssuerHealth, ReadyOptions, VerifierHealth } from "../types.js";
import { FetchError } from "./fetch-error.js";
import type { JwksCache } from "./jwks-cache.js";
import type { KeySource } from "./key-source.js";

/** The least wait between two attempts of the ready loop, in seconds, whatever the `cooldown`. */
const MIN_RETRY = 0.25;

function iso(seconds: number | undefined): string | undefined {
	return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

function isConfigurationError(error: unknown): error is TemporarilyUnavailableError {
	return error instanceof TemporarilyUnavailableError && error.reason === "discovery_issuer_mismatch";
}

/** A fetch failure as `health()` shows it: the 503's reason and the fetch's code, status and message. */
function toHealthError(error: unknown, at: number): HealthError {
	const unavailable = error instanceof TemporarilyUnavailableError ? error : undefined;
	const detail = unavailable === undefined ? error : unavailable.cause;
	const failure = detail instanceof FetchError ? detail : undefined;
	return {
		at: iso(at) as string,
		reason: (unavailable?.reason ?? "jwks_unavailable") as HealthError["reason"],
		code: failure?.code ?? "NETWORK",
		status: failure?.status,
		message: detail instanceof Error ? detail.message : String(detail),
		configuration: isConfigurationError(error),
	};
}

function cacheHealth(issuer: string, cache: JwksCache | undefined): IssuerHealth {
	const state = cache?.state();
	return {
		issuer,
		keySource: "jwks",
		jwksUri: state?.uri,
		ready: state?.usable ?? false,
		keys: state?.keys ?? 0,
		stale: state?.stale ?? false,
		fetching: state?.fetching ?? false,
		fetches: state?.fetches ?? 0,
		lastFetchAt: iso(state?.lastAttempt),
		lastSuccessAt: iso(state?.fetchedAt),
		lastError:
			state?.lastFailure === undefined ? undefined : toHealthError(state.lastError, state.lastFailure),
	};
}

function secretHealth(issuer: string): IssuerHealth {
	return {
		issuer,
		keySource: "secret",
		jwksUri: undefined,
		ready: true,
		keys: 1,
		stale: false,
		fetching: false,
		fetches: 0,
		lastFetchAt: undefined,
		lastSuccessAt: undefined,
		lastError: undefined,
	};
}

/** What every issuer's keys look like now; reads state, fetches nothing. */
export function keysHealth(options: ResolvedOptions, keys: KeySource): VerifierHealth {
	const issuers = options.issuers.map((issuer) =>
		options.secret ? secretHealth(issuer) : cacheHealth(issuer, keys.cacheOf(issuer)),
	);
	return { ready: issuers.every((issuer) => issuer.ready), issuers };
}

const sleep = (seconds: number) =>
	new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(seconds * 1000)).unref());

/** Fetches until the cache holds usable keys; a configuration error ends it with a sentence that says so. */
async function loadUntilUsable(cache: JwksCache): Promise<void> {
	for (;;) {
		if (cache.state().usable) return;
		try {
			await cache.getKeys();
			return;
		} catch (error) {
			if (isConfigurationError(error)) {
				const detail =
					error.cause instanceof Error ? error.cause.message : "the metadata names another issuer";
				throw new Error(`bearerguard: no keys can be had: ${detail}.`, { cause: error });
			}
			await sleep(Math.max(MIN_RETRY, cache.state().retryIn));
		}
	}
}

/** One loop per cache, however many callers wait for it. */
const loading = new WeakMap<JwksCache, Promise<void>>();

function loaded(cache: JwksCache): Promise<void> {
	let running = loading.get(cache);
	if (running === undefined) {
		running = loadUntilUsable(cache);
		const done = () => loading.delete(cache);
		// Settling is observed here, so a loop nobody waits for (prefetch) never rejects unhandled.
		running.then(done, done);
		loading.set(cache, running);
	}
	return running;
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<void>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		signal.addEventListener("abort", onAbort, { once: true });
		promise.then(
			() => {
				signal.removeEventListener("abort", onAbort);
				resolve();
			},
			(error: unknown) => {
				signal.removeEventListener("abort", onAbort);
				reject(error);
			},
		);
	});
}

/** Resolves once every issuer's keys are usable (see `Verifier.ready`). */
export function keysReady(options: ResolvedOptions, keys: KeySource, ready?: ReadyOptions): Promise<void> {
	if (ready !== undefined && (typeof ready !== "object" || ready === null)) {
		return Promise.reject(new TypeError("bearerguard: ready() takes { signal } or nothing."));
	}
	const signal = ready?.signal;
	if (signal !== undefined && !(signal instanceof AbortSignal)) {
		return Promise.reject(new TypeError("bearerguard: ready({ signal }) needs an AbortSignal."));
	}
	if (options.secret) return Promise.resolve();
	const caches = new Set<JwksCache>();
	for (const issuer of options.issuers) {
		const cache = keys.cacheOf(issuer);
		if (cache !== undefined) caches.add(cache);
	}
	const all = Promise.all([...caches].map((cache) => loaded(cache))).then(() => undefined);
	return signal === undefined ? all : abortable(all, signal);
}
