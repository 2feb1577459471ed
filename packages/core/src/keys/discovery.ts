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

/** The issuer metadata members bearerguard reads: each an absolute http(s) URL. */
type MetadataUrl = "jwks_uri" | "introspection_endpoint";

/** The member `name` of a metadata document when it is an absolute http(s) URL. */
function urlMember(metadata: Readonly<Record<string, unknown>>, name: MetadataUrl): string | undefined {
	const value = metadata[name];
	return typeof value === "string" && /^https?:\/\//.test(value) ? value : undefined;
}

/**
 * Finds an issuer's `jwks_uri` (and `introspection_endpoint`) from its metadata. The document's
 * `issuer` must equal the configured one exactly (RFC 8414 §3.3), or nothing can be had. A document
 * that served is kept, so the JWKS and introspection read one fetch; a failure is not kept.
 */
export class Discovery {
	private jwksUri: string | undefined;
	/** The last metadata document accepted (its `issuer` checked). */
	private metadata: Readonly<Record<string, unknown>> | undefined;
	/** The other issuer a metadata document named, once reported (a configuration error is reported once). */
	private reportedMismatch: string | undefined;

	constructor(
		readonly issuer: string,
		private readonly timeout: number,
		private readonly fetchImpl: typeof fetch = globalThis.fetch,
	) {}

	/** The issuer's JWKS URI, discovered once. Throws the 503 when it cannot be had. */
	async resolve(): Promise<string> {
		if (this.jwksUri === undefined && this.metadata !== undefined) {
			this.jwksUri = urlMember(this.metadata, "jwks_uri");
		}
		if (this.jwksUri !== undefined) return this.jwksUri;
		const jwksUri = await this.find("jwks_uri", "NO_JWKS_URI");
		this.jwksUri = jwksUri;
		return jwksUri;
	}

	/**
	 * The issuer's RFC 7662 `introspection_endpoint`, from the metadata already fetched for its keys when
	 * there is one. Throws the 503 (`discovery_failed`, its cause a `FetchError` with code
	 * `NO_INTROSPECTION_ENDPOINT` when the metadata names none) when it cannot be had.
	 */
	async introspectionEndpoint(): Promise<string> {
		const known =
			this.metadata === undefined ? undefined : urlMember(this.metadata, "introspection_endpoint");
		return known ?? this.find("introspection_endpoint", "NO_INTROSPECTION_ENDPOINT");
	}

	/** The member `name` of the first metadata document that has it; the document is kept. */
	private async find(name: MetadataUrl, missing: string): Promise<string> {
		const errors: unknown[] = [];
		for (const url of metadataUrls(this.issuer)) {
			let found: string;
			try {
				found = await traceFetch("discovery", url, this.issuer, async () => {
					const metadata = await this.read(url);
					const value = urlMember(metadata, name);
					if (value === undefined) throw new FetchError(`${url} has no http(s) ${name}`, { code: missing });
					this.metadata = metadata;
					return value;
				});
			} catch (error) {
				if (error instanceof TemporarilyUnavailableError) throw error;
				errors.push(error);
				continue;
			}
			this.reportedMismatch = undefined;
			return found;
		}
		throw new TemporarilyUnavailableError("discovery_failed", 0, { cause: summarize(this.issuer, errors) });
	}

	/** One metadata document, its `issuer` checked; a document naming another issuer throws the 503 at once. */
	private async read(url: string): Promise<Readonly<Record<string, unknown>>> {
		const document = await fetchJson(url, this.timeout, this.fetchImpl);
		const metadata = (typeof document === "object" && document !== null ? document : {}) as Record<
			string,
			unknown
		>;
		if (metadata.issuer !== this.issuer) throw this.mismatch(url, metadata.issuer);
		return metadata;
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
