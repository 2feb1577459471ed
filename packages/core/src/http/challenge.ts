/**
 * `WWW-Authenticate` challenges (RFC 6750 §3, RFC 9449 §7.1, RFC 9728 §5.1), built from the parts of an
 * error that show in them and the verifier's settings. It imports nothing of the errors, which import it.
 */

/** How the request presented its credential: the `Authorization` scheme, or an API key header. */
export type CredentialScheme = "Bearer" | "DPoP" | "ApiKey";

/**
 * How one verifier words its challenges. The verifier stamps it on every error that leaves it, so an
 * error answers the same wherever it is turned into HTTP (an adapter, `toErrorResponse`, `error.headers`).
 *
 * @example
 * ```ts
 * const settings: ChallengeSettings = { realm: 'api', dpop: { algs: 'ES256 EdDSA', required: false } }
 * ```
 */
export interface ChallengeSettings {
	/** The `realm` of every challenge. */
	readonly realm: string;
	/** DPoP is accepted: the `algs` of the `DPoP` challenge, and whether `Bearer` is refused. */
	readonly dpop?: { readonly algs: string; readonly required: boolean };
	/** RFC 9728: the protected resource metadata URL, named in every 401 challenge. */
	readonly resourceMetadata?: string;
}

/** The parts of an error that show in its challenge. */
export interface ChallengeSubject {
	readonly status: number;
	readonly code: string;
	readonly reason: string;
	readonly message: string;
	/** The permissions a 403 names. */
	readonly scope?: readonly string[];
	/** How the refused request presented its credential, when it presented one. */
	readonly scheme?: CredentialScheme;
}

/** Quotes a value for an RFC 7235 quoted-string. */
export function quote(value: string): string {
	return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** Which challenges answer: `DPoP` for a DPoP request or in `required` mode, both when no credential came. */
function schemesFor(subject: ChallengeSubject, settings: ChallengeSettings): readonly ("Bearer" | "DPoP")[] {
	const dpop = settings.dpop;
	if (dpop === undefined) return ["Bearer"];
	if (dpop.required || subject.scheme === "DPoP") return ["DPoP"];
	return subject.reason === "token_missing" ? ["Bearer", "DPoP"] : ["Bearer"];
}

/**
 * The `WWW-Authenticate` value for an error, or `undefined` for a 503 (and any status but 400, 401, 403).
 * A request without credentials (`token_missing`) gets challenges without error attributes.
 *
 * @example
 * ```ts
 * buildChallenge({ status: 401, code: 'invalid_token', reason: 'token_missing', message: 'Missing bearer token' }, { realm: 'api' })
 * // 'Bearer realm="api"'
 * ```
 */
export function buildChallenge(subject: ChallengeSubject, settings: ChallengeSettings): string | undefined {
	if (subject.status !== 400 && subject.status !== 401 && subject.status !== 403) return undefined;
	const bare = subject.reason === "token_missing";
	const parts: string[] = [];
	for (const scheme of schemesFor(subject, settings)) {
		let value = `${scheme} realm=${quote(settings.realm)}`;
		if (!bare) value += `, error=${quote(subject.code)}, error_description=${quote(subject.message)}`;
		if (!bare && subject.scope !== undefined) value += `, scope=${quote(subject.scope.join(" "))}`;
		if (scheme === "DPoP" && settings.dpop !== undefined) value += `, algs=${quote(settings.dpop.algs)}`;
		if (subject.status === 401 && settings.resourceMetadata !== undefined) {
			value += `, resource_metadata=${quote(settings.resourceMetadata)}`;
		}
		parts.push(value);
	}
	return parts.join(", ");
}
