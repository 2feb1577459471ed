import { publishConfig, traceFetch } from "../events/fetch.js";
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
	/** The other issuer a metadata document named, once reported (a configuration error is reported once). */
	private reportedMismatch: string | undefined;

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
			let jwksUri: string;
			try {
				jwksUri = await traceFetch("discovery", url, this.issuer, () => this.read(url));
			} catch (error) {
				if (error instanceof TemporarilyUnavailableError) throw error;
				errors.push(error);
				continue;
			}
			this.jwksUri = jwksUri;
			this.reportedMismatch = undefined;
			return jwksUri;
		}
		throw new TemporarilyUnavailableError("discovery_failed", 0, { cause: summarize(this.issuer, errors) });
	}

	/** One metadata document's `jwks_uri`; a document naming another issuer throws the 503 at once. */
	private async read(url: string): Promise<string> {
		const document = await fetchJson(url, this.timeout, this.fetchImpl);
		const metadata = (typeof document === "object" && document !== null ? document : {}) as Record<
			string,
			unknown
		>;
		if (metadata.issuer !== this.issuer) throw this.mismatch(url, metadata.issuer);
		const jwksUri = metadata.jwks_uri;
		if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
			throw new FetchError(`${url} has no http(s) jwks_uri`, { code: "NO_JWKS_URI" });
		}
		return jwksUri;
	}

	/** The 503 for metadata that names another issuer: a configuration error, reported once as such. */
	private mismatch(url: string, found: unknown): TemporarilyUnavailableError {
		const named = typeof found === "string" ? found : undefined;
		const message = issuerMismatchMessage(this.issuer, named);
		if (this.reportedMismatch !== (named ?? "")) {
			this.reportedMismatch = named ?? "";
			publishConfig({
				problem: "discovery_issuer_mismatch",
				issuer: this.issuer,
				url,
				found: named,
				message,
			});
		}
		return new TemporarilyUnavailableError("discovery_issuer_mismatch", 0, {
			cause: new FetchError(`${url}: ${message}`, { code: "ISSUER_MISMATCH" }),
		});
	}
}

/** What to fix when an issuer's metadata names another issuer (RFC 8414 §3.3). */
export function issuerMismatchMessage(configured: string, found: string | undefined): string {
	if (found === undefined) return `the metadata has no "issuer"; the configured issuer is "${configured}"`;
	const slash =
		found.replace(/\/+$/, "") === configured.replace(/\/+$/, "")
			? " (they differ only in the trailing slash)"
			: "";
	const named = JSON.stringify(found.slice(0, 200));
	return `the metadata names the issuer ${named}, not the configured "${configured}"${slash}: configure the exact iss of your tokens (${named} if the issuer puts its own name in them)`;
}

/** One error for every metadata URL that failed: the first network code, every URL's reason in the message. */
function summarize(issuer: string, errors: readonly unknown[]): FetchError {
	const failures = errors.filter((error): error is FetchError => error instanceof FetchError);
	// The most telling code leads: a system error (ECONNREFUSED, ENOTFOUND), a timeout, a socket error.
	const lead =
		failures.find((error) => /^E[A-Z]/.test(error.code)) ??
		failures.find((error) => error.code === "TIMEOUT") ??
		failures.find((error) => error.code.startsWith("UND_ERR")) ??
		failures[0];
	const reasons = errors.map((error) => (error instanceof Error ? error.message : String(error))).join("; ");
	return new FetchError(`no metadata could be had for ${issuer}: ${reasons}`, {
		cause: lead,
		code: lead?.code ?? "NETWORK",
		status: lead?.status,
	});
}
