/**
 * The issuer a token claims, read without verifying it, for the diagnostics events of a refused
 * request: repeated only when it is one of the configured issuers, never any other value.
 */
import { decodeSegment, parseObject } from "./json.js";

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The token's `iss` when it is a compact JWS whose payload names one of `issuers`; otherwise
 * `undefined`. Never throws.
 */
export function claimedIssuer(token: unknown, issuers: readonly string[]): string | undefined {
	if (typeof token !== "string" || token.length > 65_536 || !COMPACT_JWS.test(token)) return undefined;
	const first = token.indexOf(".");
	const payload = parseObject(decodeSegment(token.slice(first + 1, token.indexOf(".", first + 1))));
	const iss = payload?.iss;
	return typeof iss === "string" && issuers.includes(iss) ? iss : undefined;
}
