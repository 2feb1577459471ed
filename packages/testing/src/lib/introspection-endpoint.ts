import type { IncomingMessage, ServerResponse } from "node:http";
import type { IntrospectionClient } from "../types.js";
import { authenticateClient } from "./client-auth.js";
import { type IntrospectionSources, introspectToken } from "./introspect.js";
import { BadRequest, readParams } from "./request-body.js";
import { sendJson, sendRaw } from "./send-json.js";

/** The challenge of a 401 from the introspection endpoint. */
export const INTROSPECTION_CHALLENGE = 'Basic realm="introspection"';

/**
 * Answers an introspection request (RFC 7662 §2): a form body (at most 64 KiB) with `token`
 * (and an optional `token_type_hint`, which is ignored), from the issuer's introspection
 * client by `client_secret_basic` or `client_secret_post`.
 *
 * Answers: 200 with the token's introspection ({@link introspectToken}); 401
 * `{"error":"invalid_client"}` with `WWW-Authenticate: Basic realm="introspection"` for a
 * missing or wrong client; 400 `invalid_request` for another content type, a body too large,
 * two client authentication methods, or no `token`.
 *
 * @example
 * ```ts
 * await handleIntrospectionRequest(req, res, issuer.introspectionClient, { keys, registry });
 * ```
 */
export async function handleIntrospectionRequest(
	req: IncomingMessage,
	res: ServerResponse,
	client: IntrospectionClient,
	sources: IntrospectionSources,
): Promise<void> {
	let params: Map<string, string>;
	try {
		params = await readParams(req, true);
	} catch (error) {
		if (!(error instanceof BadRequest)) throw error;
		sendJson(res, 400, { error: "invalid_request", error_description: error.message });
		return;
	}
	const outcome = authenticateClient(req.headers.authorization, params, client);
	if (outcome === "several_methods") {
		const description = "Use one client authentication method, not several.";
		sendJson(res, 400, { error: "invalid_request", error_description: description });
		return;
	}
	if (outcome === "invalid_client") {
		sendRaw(res, 401, JSON.stringify({ error: "invalid_client" }), {
			"content-type": "application/json",
			"cache-control": "no-store",
			"www-authenticate": INTROSPECTION_CHALLENGE,
		});
		return;
	}
	const token = params.get("token");
	if (token === undefined || token === "") {
		sendJson(res, 400, { error: "invalid_request", error_description: "token is required." });
		return;
	}
	sendJson(res, 200, await introspectToken(token, sources));
}
