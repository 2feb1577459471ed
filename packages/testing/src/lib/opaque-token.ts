import type { OpaqueTokenOptions } from "../types.js";
import { confirmationClaim } from "./binding.js";
import { toSeconds } from "./durations.js";
import type { TokenRegistry } from "./token-registry.js";

const DEFAULT_LIFETIME = 3600;

/** What an opaque token needs from the issuer. */
export interface OpaqueContext {
	readonly issuer: string;
	readonly audience: string;
	readonly registry: TokenRegistry;
}

/**
 * Mints an opaque token (32 random bytes, base64url) and stores its introspection claims:
 * `client_id: 'client_123'`, `sub: 'user_123'`, `aud`, `iss`, `exp` (now + `expiresIn`, default
 * 3600 s; none for `null`/`false`), `iat`, `token_type` (`'DPoP'` when bound to a DPoP key),
 * `cnf` when bound, then `claims`; a claim set to `undefined` is removed.
 *
 * @throws TypeError for claims that are not a plain object, or a bad option
 * @example
 * ```ts
 * const token = mintOpaqueToken(context, { scope: "read write" }, { expiresIn: "10m" });
 * ```
 */
export function mintOpaqueToken(
	context: OpaqueContext,
	claims: Record<string, unknown> = {},
	options: OpaqueTokenOptions = {},
): string {
	if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
		throw new TypeError("claims must be a plain object.");
	}
	const now = Math.floor(Date.now() / 1000);
	const { expiresIn = DEFAULT_LIFETIME } = options;
	const exp = expiresIn === null || expiresIn === false ? undefined : now + toSeconds(expiresIn, "expiresIn");
	const cnf = confirmationClaim(options);
	const merged: Record<string, unknown> = {
		client_id: "client_123",
		sub: "user_123",
		aud: context.audience,
		iss: context.issuer,
		exp,
		iat: now,
		token_type: cnf && "jkt" in cnf ? "DPoP" : "Bearer",
		cnf,
		...claims,
	};
	return context.registry.issue(
		Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
	);
}
