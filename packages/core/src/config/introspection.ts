/**
 * The `introspection` option, checked once when the verifier is created.
 */
import type { IntrospectionOptions } from "../credential-types.js";
import { toSeconds } from "./duration.js";

/** `introspection` after validation and defaults; durations in seconds. */
export interface ResolvedIntrospection {
	/** The configured endpoint, or `undefined` to read it from the first issuer's metadata. */
	readonly endpoint: string | undefined;
	readonly clientId: string;
	readonly clientSecret: string;
	readonly auth: "client_secret_basic" | "client_secret_post";
	readonly cacheMaxAge: number;
	readonly cacheMaxEntries: number;
	readonly timeout: number;
	/** Introspect JWTs too. */
	readonly jwt: boolean;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

function nonEmpty(value: unknown, name: string, hint: string): string {
	if (typeof value !== "string" || value === "") fail(`"introspection.${name}" is required: ${hint}.`);
	return value;
}

function endpointOf(value: unknown): string | undefined {
	if (value === undefined) return undefined;
	let url: URL | undefined;
	try {
		url = typeof value === "string" ? new URL(value) : undefined;
	} catch {
		url = undefined;
	}
	if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
		fail(
			'"introspection.endpoint" must be an absolute http(s) URL, or left out to use the issuer\'s metadata.',
		);
	}
	return value as string;
}

/**
 * Validates `introspection` and applies the defaults; `undefined` when it is not set. Throws a
 * `TypeError` that says what to fix.
 *
 * @example
 * ```ts
 * resolveIntrospection({ clientId: 'api', clientSecret: 's3cret' })?.cacheMaxAge // 60
 * ```
 */
export function resolveIntrospection(
	value: IntrospectionOptions | undefined,
	issuers: readonly string[] = [],
): ResolvedIntrospection | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		fail('"introspection" must be an object such as { clientId, clientSecret }.');
	}
	const auth = value.auth ?? "client_secret_basic";
	if (auth !== "client_secret_basic" && auth !== "client_secret_post") {
		fail("\"introspection.auth\" must be 'client_secret_basic' or 'client_secret_post'.");
	}
	const cacheMaxEntries = value.cacheMaxEntries ?? 10_000;
	if (!Number.isInteger(cacheMaxEntries) || cacheMaxEntries < 1) {
		fail('"introspection.cacheMaxEntries" must be a whole number >= 1.');
	}
	if (value.jwt !== undefined && typeof value.jwt !== "boolean")
		fail('"introspection.jwt" must be true or false.');
	const endpoint = endpointOf(value.endpoint);
	if (endpoint === undefined && issuers.length > 0 && !/^https?:\/\//.test(issuers[0] as string)) {
		fail(
			'"introspection.endpoint" is required: the first "issuer" is not an http(s) URL whose metadata could name it.',
		);
	}
	return Object.freeze({
		endpoint,
		clientId: nonEmpty(value.clientId, "clientId", "this API's client ID at the authorization server"),
		clientSecret: nonEmpty(value.clientSecret, "clientSecret", "its client secret"),
		auth,
		cacheMaxAge: toSeconds(value.cacheMaxAge ?? 60, "introspection.cacheMaxAge"),
		cacheMaxEntries,
		timeout: toSeconds(value.timeout ?? 5, "introspection.timeout"),
		jwt: value.jwt ?? false,
	});
}
