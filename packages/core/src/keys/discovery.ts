import { TemporarilyUnavailableError } from "../http/errors.js";
import { FetchError, fetchJson } from "./fetch-json.js";

/**
 * The metadata URLs of an issuer, in the order tried: OpenID Connect Discovery (issuer + suffix), then
 * RFC 8414 OAuth metadata (the well-known segment inserted before the issuer's path).
 */
export function metadataUrls(issuer: string): string[] {
	const url = new URL(issuer);
	const path = url.pathname.replace(/\/$/, "");
	return [
		`${url.origin}${path}/.well-known/openid-configuration`,
		`${url.origin}/.well-known/oauth-authorization-server${path}`,
	];
}

/**
 * Finds an issuer's `jwks_uri` from its metadata. The document's `issuer` must equal the configured one
 * exactly (RFC 8414 §3.3), or no keys can be had. A success is kept; a failure is not.
 */
export class Discovery {
	private jwksUri: string | undefined;

	constructor(
		readonly issuer: string,
		private readonly timeout: number,
		private readonly fetchImpl: typeof fetch = globalThis.fetch,
	) {}

	/** The issuer's JWKS URI, discovered once. Throws the 503 when it cannot be had. */
	async resolve(): Promise<string> {
		if (this.jwksUri !== undefined) return this.jwksUri;
		const errors: unknown[] = [];
		for (const url of metadataUrls(this.issuer)) {
			let document: unknown;
			try {
				document = await fetchJson(url, this.timeout, this.fetchImpl);
			} catch (error) {
				errors.push(error);
				continue;
			}
			const metadata = (typeof document === "object" && document !== null ? document : {}) as Record<
				string,
				unknown
			>;
			if (metadata.issuer !== this.issuer) {
				throw new TemporarilyUnavailableError("discovery_issuer_mismatch", 0, {
					cause: new FetchError(`${url} names another issuer than ${this.issuer}`),
				});
			}
			const jwksUri = metadata.jwks_uri;
			if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
				errors.push(new FetchError(`${url} has no http(s) jwks_uri`));
				continue;
			}
			this.jwksUri = jwksUri;
			return jwksUri;
		}
		throw new TemporarilyUnavailableError("discovery_failed", 0, {
			cause: new AggregateError(errors, `no metadata could be had for ${this.issuer}`),
		});
	}
}
