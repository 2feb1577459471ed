/**
 * The fetch and configuration events. `traceFetch` is what every outgoing request of bearerguard goes
 * through (JWKS, discovery, introspection): with no subscriber it only calls `run`.
 */
import { configChannel, fetchChannel } from "./channels.js";
import type { ConfigEvent, FetchEvent, FetchKind } from "./event-types.js";

/** What a fetch failure tells the event: its code and HTTP status, when it has them. */
interface FailureLike {
	readonly code?: unknown;
	readonly status?: unknown;
	readonly cause?: unknown;
}

const FAILURE_CODE = /^[A-Z][A-Z0-9_]*$/;

/** The failure's own code (`ECONNREFUSED`, `TIMEOUT`, ...), or its cause's (a 503 wrapping a `FetchError`). */
function failureOf(error: unknown): FailureLike | undefined {
	for (let at = error, depth = 0; depth < 3; depth++) {
		if (typeof at !== "object" || at === null) return undefined;
		const failure = at as FailureLike;
		if (typeof failure.code === "string" && FAILURE_CODE.test(failure.code)) return failure;
		at = failure.cause;
	}
	return undefined;
}

/** How a fetch's result is described in its event: for a JWKS, the keys kept and ignored. */
export interface FetchSummary {
	readonly keys?: number;
	readonly ignoredKeys?: number;
}

/**
 * Runs one outgoing request and, when `bearerguard:fetch` has subscribers, publishes its
 * {@link FetchEvent} (success with `describe(result)`, or failure with the error's `code` and `status`).
 * The result or error passes through unchanged.
 *
 * @example
 * ```ts
 * const body = await traceFetch('introspection', endpoint, issuer, () => post(endpoint, form))
 * ```
 */
export async function traceFetch<T>(
	kind: FetchKind,
	url: string,
	issuer: string | undefined,
	run: () => Promise<T>,
	describe?: (result: T) => FetchSummary,
): Promise<T> {
	if (!fetchChannel.hasSubscribers) return run();
	const start = performance.now();
	let result: T;
	try {
		result = await run();
	} catch (error) {
		const failure = failureOf(error);
		publishFetch({
			kind,
			url,
			issuer,
			outcome: "failure",
			status: typeof failure?.status === "number" ? failure.status : undefined,
			code: (failure?.code as string | undefined) ?? "NETWORK",
			error: error instanceof Error ? error : undefined,
			duration: performance.now() - start,
			keys: undefined,
			ignoredKeys: undefined,
		});
		throw error;
	}
	const summary = describe?.(result);
	publishFetch({
		kind,
		url,
		issuer,
		outcome: "success",
		status: 200,
		code: undefined,
		error: undefined,
		duration: performance.now() - start,
		keys: summary?.keys,
		ignoredKeys: summary?.ignoredKeys,
	});
	return result;
}

/**
 * Publishes a {@link FetchEvent} built by the caller, when anyone subscribes (for a fetch that
 * `traceFetch` cannot wrap).
 *
 * @example
 * ```ts
 * if (fetchChannel.hasSubscribers) publishFetch({ kind: 'introspection', url, issuer, outcome: 'success', ... })
 * ```
 */
export function publishFetch(event: FetchEvent): void {
	if (fetchChannel.hasSubscribers) fetchChannel.publish(event);
}

/**
 * Publishes a {@link ConfigEvent}, when anyone subscribes. The caller publishes each cause once.
 *
 * @example
 * ```ts
 * publishConfig({ problem: 'discovery_issuer_mismatch', issuer, url, found, message })
 * ```
 */
export function publishConfig(event: ConfigEvent): void {
	if (configChannel.hasSubscribers) configChannel.publish(event);
}
