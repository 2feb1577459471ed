import type { IncomingMessage, ServerResponse } from "node:http";
import { basicCredentials } from "./client-auth.js";
import { BadRequest, readParams } from "./request-body.js";
import { sendJson } from "./send-json.js";
import { InvalidProof, verifyTokenRequestProof } from "./token-dpop.js";

/** Lifetime of tokens from the token endpoint, in seconds. */
export const TOKEN_LIFETIME = 3600;

/** Mints a token with the given claims and lifetime in seconds (the issuer's `sign`). */
export type TokenMinter = (claims: Record<string, unknown>, expiresIn: number) => Promise<string>;

/**
 * The claims of a client-credentials token: `sub` and `client_id` from the client id,
 * `scope` and `permissions` from `scope`, `org_id` from `organization`, `aud` from `audience`.
 *
 * @example
 * ```ts
 * claimsFor(new Map([["client_id", "app"], ["scope", "read write"]]));
 * // { sub: 'app', client_id: 'app', scope: 'read write', permissions: ['read', 'write'] }
 * ```
 */
export function claimsFor(params: ReadonlyMap<string, string>): Record<string, unknown> {
	const claims: Record<string, unknown> = {};
	const clientId = params.get("client_id");
	if (clientId) Object.assign(claims, { sub: clientId, client_id: clientId });
	const scope = params.get("scope")?.trim();
	if (scope) Object.assign(claims, { scope, permissions: scope.split(/\s+/) });
	const organization = params.get("organization");
	if (organization) claims.org_id = organization;
	const audience = params.get("audience");
	if (audience) claims.aud = audience;
	return claims;
}

/**
 * Answers a client-credentials token request (RFC 6749 §4.4) with any client accepted:
 * `{ access_token, token_type: 'Bearer', expires_in: 3600 }`, or a 400 with
 * `unsupported_grant_type` or `invalid_request`. With a `DPoP` header (RFC 9449 §5), a valid
 * proof gets a token bound to its key (`cnf.jkt`) and `token_type: 'DPoP'`; a bad one a 400
 * `invalid_dpop_proof`.
 *
 * @param endpoint - the advertised URL of the endpoint, for the proof's `htu`
 * @example
 * ```ts
 * await handleTokenRequest(req, res, (claims, ttl) => issuer.sign(claims, { expiresIn: ttl }), url);
 * ```
 */
export async function handleTokenRequest(
	req: IncomingMessage,
	res: ServerResponse,
	mint: TokenMinter,
	endpoint: string,
): Promise<void> {
	let params: Map<string, string>;
	try {
		params = await readParams(req);
	} catch (error) {
		if (!(error instanceof BadRequest)) throw error;
		sendJson(res, 400, { error: "invalid_request", error_description: error.message });
		return;
	}
	const grantType = params.get("grant_type");
	if (grantType === undefined) {
		sendJson(res, 400, { error: "invalid_request", error_description: "grant_type is required." });
		return;
	}
	if (grantType !== "client_credentials") {
		sendJson(res, 400, { error: "unsupported_grant_type" });
		return;
	}
	if (!params.has("client_id")) {
		const clientId = basicCredentials(req.headers.authorization)?.clientId;
		if (clientId) params.set("client_id", clientId);
	}
	const claims = claimsFor(params);
	if (req.headers.dpop !== undefined) {
		try {
			claims.cnf = { jkt: await verifyTokenRequestProof(req, endpoint) };
		} catch (error) {
			if (!(error instanceof InvalidProof)) throw error;
			sendJson(res, 400, { error: "invalid_dpop_proof", error_description: error.message });
			return;
		}
	}
	const accessToken = await mint(claims, TOKEN_LIFETIME);
	const tokenType = claims.cnf === undefined ? "Bearer" : "DPoP";
	sendJson(res, 200, { access_token: accessToken, token_type: tokenType, expires_in: TOKEN_LIFETIME });
}
