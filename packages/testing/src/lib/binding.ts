import type { DpopKey } from "../types.js";
import { certificateThumbprint } from "./thumbprint.js";

/** What binds a token to a key (RFC 9449 §6) or a certificate (RFC 8705 §3). */
export interface BindingOptions {
	readonly dpopKey?: DpopKey | undefined;
	readonly certificate?: string | Uint8Array | undefined;
	readonly cnf?: Record<string, unknown> | undefined;
}

/**
 * The `cnf` claim of a bound token: the `cnf` members, then `jkt` (the DPoP key's thumbprint)
 * and `x5t#S256` (the certificate's); undefined when nothing binds the token.
 *
 * @throws TypeError for a DPoP key without `jkt`, a bad certificate or a non-object `cnf`
 * @example
 * ```ts
 * confirmationClaim({ dpopKey: key }); // { jkt: key.jkt }
 * ```
 */
export function confirmationClaim(options: BindingOptions): Record<string, unknown> | undefined {
	const { dpopKey, certificate, cnf } = options;
	if (cnf !== undefined && (typeof cnf !== "object" || cnf === null || Array.isArray(cnf))) {
		throw new TypeError("cnf must be a plain object.");
	}
	if (dpopKey !== undefined && typeof dpopKey?.jkt !== "string") {
		throw new TypeError("dpopKey must be a DPoP key from createDpopKey().");
	}
	if (dpopKey === undefined && certificate === undefined && cnf === undefined) return undefined;
	return {
		...cnf,
		...(dpopKey === undefined ? {} : { jkt: dpopKey.jkt }),
		...(certificate === undefined ? {} : { "x5t#S256": certificateThumbprint(certificate) }),
	};
}
