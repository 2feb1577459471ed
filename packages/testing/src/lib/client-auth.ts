import { createHash, timingSafeEqual } from "node:crypto";
import type { IntrospectionClient } from "../types.js";

/** Client credentials as sent, before any check. */
export interface ClientCredentials {
	readonly clientId: string;
	readonly clientSecret: string;
}

/** The outcome of client authentication (RFC 6749 §2.3.1). */
export type ClientAuthentication = "authenticated" | "invalid_client" | "several_methods";

function formDecode(value: string): string | undefined {
	try {
		return decodeURIComponent(value.replace(/\+/g, " "));
	} catch {
		return undefined;
	}
}

/**
 * The credentials of an `Authorization: Basic` header: base64 of `id:secret`, each
 * form-urlencoded first (RFC 6749 §2.3.1); undefined when the header is absent, of another
 * scheme, or malformed. The secret is `''` when the colon is missing.
 *
 * @example
 * ```ts
 * basicCredentials(`Basic ${btoa("my%20app:s3cret")}`); // { clientId: 'my app', clientSecret: 's3cret' }
 * ```
 */
export function basicCredentials(header: string | undefined): ClientCredentials | undefined {
	const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
	if (!match?.[1]) return undefined;
	const decoded = Buffer.from(match[1], "base64").toString("utf8");
	const colon = decoded.indexOf(":");
	const clientId = formDecode(colon === -1 ? decoded : decoded.slice(0, colon));
	const clientSecret = colon === -1 ? "" : formDecode(decoded.slice(colon + 1));
	if (clientId === undefined || clientSecret === undefined) return undefined;
	return { clientId, clientSecret };
}

function sameSecret(given: string, expected: string): boolean {
	const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
	return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Authenticates a client by `client_secret_basic` (the `Authorization` header) or
 * `client_secret_post` (`client_id` and `client_secret` in the body), comparing both values in
 * constant time. Using both methods at once is `several_methods` (RFC 6749 §2.3); no, wrong or
 * unreadable credentials are `invalid_client`.
 *
 * @example
 * ```ts
 * authenticateClient(req.headers.authorization, params, issuer.introspectionClient); // 'authenticated'
 * ```
 */
export function authenticateClient(
	authorization: string | undefined,
	params: ReadonlyMap<string, string>,
	client: IntrospectionClient,
): ClientAuthentication {
	const posted = params.has("client_secret");
	if (authorization !== undefined && posted) return "several_methods";
	let given: ClientCredentials | undefined;
	if (authorization !== undefined) given = basicCredentials(authorization);
	else if (posted)
		given = { clientId: params.get("client_id") ?? "", clientSecret: params.get("client_secret") ?? "" };
	if (!given) return "invalid_client";
	const idMatches = sameSecret(given.clientId, client.clientId);
	const secretMatches = sameSecret(given.clientSecret, client.clientSecret);
	return idMatches && secretMatches ? "authenticated" : "invalid_client";
}
