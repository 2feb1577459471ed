import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./send-json.js";

/** Largest accepted token request body, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Lifetime of tokens from the token endpoint, in seconds. */
export const TOKEN_LIFETIME = 3600;

/** Mints a token with the given claims and lifetime in seconds (the issuer's `sign`). */
export type TokenMinter = (claims: Record<string, unknown>, expiresIn: number) => Promise<string>;

class BadRequest extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
		size += buffer.length;
		if (size > MAX_BODY_BYTES) throw new BadRequest("The request body is too large.");
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Map<string, string> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new BadRequest("The request body is not valid JSON.");
	}
	if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
		throw new BadRequest("The request body must be a JSON object.");
	}
	const entries = Object.entries(parsed).filter(
		(entry): entry is [string, string] => typeof entry[1] === "string",
	);
	return new Map(entries);
}

async function readParams(req: IncomingMessage): Promise<Map<string, string>> {
	const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
	const text = await readBody(req);
	if (type === "application/json") return parseJson(text);
	if (type === "application/x-www-form-urlencoded") return new Map(new URLSearchParams(text));
	throw new BadRequest("Send application/json or application/x-www-form-urlencoded.");
}

/** The client id of an `Authorization: Basic` header (RFC 6749 §2.3.1), if any. */
function basicClientId(header: string | undefined): string | undefined {
	const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
	if (!match?.[1]) return undefined;
	const [id] = Buffer.from(match[1], "base64").toString("utf8").split(":");
	try {
		return id ? decodeURIComponent(id.replace(/\+/g, " ")) : undefined;
	} catch {
		return undefined;
	}
}

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
 * `unsupported_grant_type` or `invalid_request`.
 *
 * @example
 * ```ts
 * await handleTokenRequest(req, res, (claims, ttl) => issuer.sign(claims, { expiresIn: ttl }));
 * ```
 */
export async function handleTokenRequest(
	req: IncomingMessage,
	res: ServerResponse,
	mint: TokenMinter,
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
		const clientId = basicClientId(req.headers.authorization);
		if (clientId) params.set("client_id", clientId);
	}
	const accessToken = await mint(claimsFor(params), TOKEN_LIFETIME);
	sendJson(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: TOKEN_LIFETIME });
}
