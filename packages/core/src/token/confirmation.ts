/**
 * The `cnf` claim (RFC 7800) of a token or an introspection answer: only `jkt` (RFC 9449, DPoP) and
 * `x5t#S256` (RFC 8705, a client certificate) bind; other members are ignored (Keycloak and others add
 * their own).
 */
import { invalidToken } from "../http/errors.js";

/** The key a token is bound to: `auth.confirmation`. */
export interface Confirmation {
	/** RFC 7638 SHA-256 thumbprint of the DPoP key, base64url. */
	readonly jkt?: string;
	/** SHA-256 thumbprint of the client certificate's DER, base64url. */
	readonly "x5t#S256"?: string;
}

/** A SHA-256 thumbprint in base64url: 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The binding a `cnf` value names, or `undefined` for none. A `cnf` that is not an object, or whose `jkt`
 * or `x5t#S256` is not a SHA-256 thumbprint, is `401 claim_invalid`.
 *
 * @example
 * ```ts
 * confirmationOf({ jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', kid: 'x' }) // { jkt: '0ZcO...' }
 * ```
 */
export function confirmationOf(cnf: unknown): Confirmation | undefined {
	if (cnf === undefined) return undefined;
	if (typeof cnf !== "object" || cnf === null || Array.isArray(cnf)) throw invalidToken("claim_invalid");
	const jkt = Object.hasOwn(cnf, "jkt") ? (cnf as Record<string, unknown>).jkt : undefined;
	const x5t = Object.hasOwn(cnf, "x5t#S256") ? (cnf as Record<string, unknown>)["x5t#S256"] : undefined;
	if ((jkt !== undefined && !isThumbprint(jkt)) || (x5t !== undefined && !isThumbprint(x5t))) {
		throw invalidToken("claim_invalid");
	}
	if (jkt === undefined && x5t === undefined) return undefined;
	return Object.freeze({
		...(jkt !== undefined && { jkt: jkt as string }),
		...(x5t !== undefined && { "x5t#S256": x5t as string }),
	});
}

function isThumbprint(value: unknown): boolean {
	return typeof value === "string" && THUMBPRINT.test(value);
}
