import { buildChallenge, type ChallengeSettings, type ChallengeSubject } from "./challenge.js";

/** What the headers of a failure are built from: the challenge's parts, `Retry-After`, and extra headers. */
export interface HeaderSubject extends ChallengeSubject {
	/** Seconds to wait, for a 503's `Retry-After`. */
	readonly retryAfter?: number;
	/** Headers the answer carries besides the contract's (e.g. `DPoP-Nonce`, `Deprecation`), lower-case names. */
	readonly answerHeaders?: Readonly<Record<string, string>>;
}

/** `Content-Type` and `Cache-Control` of every failure. */
export const JSON_NO_STORE = Object.freeze({
	"content-type": "application/json",
	"cache-control": "no-store",
} as const);

/**
 * The response headers of a failure: `content-type`, `cache-control`, the challenge when there is one,
 * `retry-after` for a 503, then any extra headers the error carries.
 *
 * @example
 * ```ts
 * errorHeaders(invalidToken('token_expired'), { realm: 'api' })['www-authenticate']
 * ```
 */
export function errorHeaders(subject: HeaderSubject, settings: ChallengeSettings): Record<string, string> {
	const headers: Record<string, string> = { ...JSON_NO_STORE };
	const value = buildChallenge(subject, settings);
	if (value !== undefined) headers["www-authenticate"] = value;
	if (typeof subject.retryAfter === "number") headers["retry-after"] = String(subject.retryAfter);
	if (subject.answerHeaders !== undefined) Object.assign(headers, subject.answerHeaders);
	return headers;
}
