import type { TestAlgorithm } from "../types.js";
import type { IssuerPaths } from "./issuer-routes.js";
import type { ResolvedOptions } from "./options.js";
import { TOKEN_DPOP_ALGORITHMS } from "./token-dpop.js";

/** The issuer's public URLs and the paths its server answers on. */
export interface IssuerUrls {
	/** `http://host:port{issuerPath}` */
	readonly issuer: string;
	/** `http://host:port/.well-known/jwks.json{issuerPath}` */
	readonly jwksUri: string;
	/** `{issuer}/oauth/token` */
	readonly tokenEndpoint: string;
	/** `{issuer}/oauth/introspect` */
	readonly introspectionEndpoint: string;
	readonly paths: IssuerPaths;
}

/**
 * Builds the issuer's URLs from where it listens; IPv6 hosts are bracketed.
 *
 * @example
 * ```ts
 * issuerUrls({ ...options, host: "127.0.0.1", issuerPath: "/t" }, 8080).issuer; // 'http://127.0.0.1:8080/t'
 * ```
 */
export function issuerUrls(options: ResolvedOptions, port: number): IssuerUrls {
	const { host, issuerPath, discovery } = options;
	const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
	const paths: IssuerPaths = {
		openid:
			discovery === "openid" || discovery === "both"
				? `${issuerPath}/.well-known/openid-configuration`
				: undefined,
		oauth:
			discovery === "oauth" || discovery === "both"
				? `/.well-known/oauth-authorization-server${issuerPath}`
				: undefined,
		jwks: `/.well-known/jwks.json${issuerPath}`,
		token: `${issuerPath}/oauth/token`,
		introspection: `${issuerPath}/oauth/introspect`,
	};
	return {
		issuer: `${origin}${issuerPath}`,
		jwksUri: `${origin}${paths.jwks}`,
		tokenEndpoint: `${origin}${paths.token}`,
		introspectionEndpoint: `${origin}${paths.introspection}`,
		paths,
	};
}

/**
 * The authorization server metadata served by both discovery documents.
 *
 * @example
 * ```ts
 * issuerMetadata(urls, ["RS256"]).jwks_uri; // urls.jwksUri
 * ```
 */
export function issuerMetadata(
	urls: IssuerUrls,
	algorithms: readonly TestAlgorithm[],
): Record<string, unknown> {
	return {
		issuer: urls.issuer,
		jwks_uri: urls.jwksUri,
		token_endpoint: urls.tokenEndpoint,
		grant_types_supported: ["client_credentials"],
		response_types_supported: ["token"],
		subject_types_supported: ["public"],
		id_token_signing_alg_values_supported: [...algorithms],
		token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
		introspection_endpoint: urls.introspectionEndpoint,
		introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
		dpop_signing_alg_values_supported: [...TOKEN_DPOP_ALGORITHMS],
	};
}
