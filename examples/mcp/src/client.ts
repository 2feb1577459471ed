/**
 * What an MCP client does to get a token for a server it has only the URL of (MCP authorization,
 * RFC 9728, RFC 8414, RFC 8707), written out so the example's test and main can follow it step by step.
 */

/** The `resource_metadata` URL of a 401's `WWW-Authenticate`, if it names one. */
export function resourceMetadataOf(challenge: string | null): string | undefined {
	return /resource_metadata="([^"]+)"/.exec(challenge ?? "")?.[1];
}

/** RFC 8414 §3: the authorization server's metadata URL, the well-known path between host and path. */
export function authorizationServerMetadataUrl(issuer: string): string {
	const url = new URL(issuer);
	const path = url.pathname === "/" ? "" : url.pathname;
	return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
	if (!response.ok) throw new Error(`${what} answered ${response.status}`);
	return (await response.json()) as Record<string, unknown>;
}

/** Every step of the discovery, for a walkthrough. */
export interface Discovery {
	readonly challenge: string;
	readonly resourceMetadataUrl: string;
	readonly resourceMetadata: Record<string, unknown>;
	readonly tokenEndpoint: string;
	readonly accessToken: string;
}

/**
 * From the server's URL to an access token: the refused request's challenge, the protected resource
 * metadata it names, the authorization server's metadata, then the client-credentials grant for this
 * resource (`resource`, RFC 8707) and `scope`.
 */
export async function discoverAndAuthorize(
	serverUrl: string,
	clientId: string,
	scope: string,
): Promise<Discovery> {
	const refused = await fetch(serverUrl, { method: "POST", body: "{}" });
	const challenge = refused.headers.get("www-authenticate") ?? "";
	const resourceMetadataUrl = resourceMetadataOf(challenge);
	if (refused.status !== 401 || resourceMetadataUrl === undefined) {
		throw new Error(`expected a 401 naming resource_metadata, got ${refused.status} ${challenge}`);
	}
	const resourceMetadata = await json(await fetch(resourceMetadataUrl), "the resource metadata");
	const [issuer] = resourceMetadata.authorization_servers as string[];
	const server = await json(
		await fetch(authorizationServerMetadataUrl(issuer as string)),
		"the issuer metadata",
	);
	const tokenEndpoint = server.token_endpoint as string;
	const body = new URLSearchParams({
		grant_type: "client_credentials",
		client_id: clientId,
		scope,
		resource: resourceMetadata.resource as string,
	});
	const token = await json(await fetch(tokenEndpoint, { method: "POST", body }), "the token endpoint");
	return {
		challenge,
		resourceMetadataUrl,
		resourceMetadata,
		tokenEndpoint,
		accessToken: token.access_token as string,
	};
}
