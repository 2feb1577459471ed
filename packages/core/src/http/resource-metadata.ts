/**
 * Protected resource metadata (RFC 9728): the document that tells a client which authorization server
 * issues tokens for this API, its URL (§3.1), and the ready answers every adapter sends for it.
 */
import type { ProtectedResourceMetadata, ResourceOptions } from "../types.js";

/** The well-known path of RFC 9728 §3, the start of every metadata path. */
export const RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/** An answer to a request for the metadata: status, headers (lower-case names) and body. */
export interface ResourceMetadataAnswer {
	/** 200 for GET and HEAD, 204 for a CORS preflight (OPTIONS). */
	readonly status: 200 | 204;
	readonly headers: Readonly<Record<string, string>>;
	/** The JSON document for GET; empty for HEAD (whose `content-length` is the document's) and OPTIONS. */
	readonly body: string;
}

/** One API's protected resource metadata, validated, with its URL and answers. */
export interface ResourceMetadata {
	/** The document, frozen, as given. */
	readonly metadata: Readonly<ProtectedResourceMetadata>;
	/** The metadata URL (§3.1), named by `resource_metadata` in 401 challenges. */
	readonly url: string;
	/** The paths it is served at: the URL's path, then the bare well-known path when they differ. */
	readonly paths: readonly string[];
	/**
	 * The answer to `method` on the request-target `target` (path and query), or `undefined` when the
	 * request is not for the metadata (another path, or a method other than GET, HEAD and OPTIONS).
	 */
	answer(method: string, target: string): ResourceMetadataAnswer | undefined;
}

const URL_MEMBERS = ["jwks_uri", "resource_documentation", "resource_policy_uri", "resource_tos_uri"];
const STRING_LIST_MEMBERS = [
	"resource_signing_alg_values_supported",
	"authorization_details_types_supported",
	"dpop_signing_alg_values_supported",
];
const BOOLEAN_MEMBERS = ["tls_client_certificate_bound_access_tokens", "dpop_bound_access_tokens_required"];
const KNOWN = new Set([
	"resource",
	"authorization_servers",
	"scopes_supported",
	"bearer_methods_supported",
	"resource_name",
	"signed_metadata",
	...URL_MEMBERS,
	...STRING_LIST_MEMBERS,
	...BOOLEAN_MEMBERS,
]);
const BEARER_METHODS = new Set(["header", "body", "query"]);
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

/** Levenshtein distance, for naming the member a misspelt one was meant to be. */
function distance(a: string, b: string): number {
	let row = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		const next = [i];
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + cost);
		}
		row = next;
	}
	return row[b.length] as number;
}

function closest(name: string): string {
	let best = "resource";
	for (const known of KNOWN) if (distance(name, known) < distance(name, best)) best = known;
	return best;
}

function httpUrl(value: unknown, name: string, what = "an absolute http(s) URL"): URL {
	let url: URL | undefined;
	try {
		url = typeof value === "string" ? new URL(value) : undefined;
	} catch {}
	if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
		fail(`"resource.metadata.${name}" must be ${what}.`);
	}
	return url;
}

function stringList(value: unknown, name: string, check: (item: string) => boolean, hint: string): void {
	if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && check(item))) {
		fail(`"resource.metadata.${name}" must be an array of ${hint}.`);
	}
}

/** Checks every member of the document against RFC 9728 §2 (a `TypeError` names what to fix). */
function checkMetadata(metadata: Record<string, unknown>): void {
	const resource = httpUrl(
		metadata.resource,
		"resource",
		"this API's identifier, an absolute http(s) URL such as 'https://api.example.com'",
	);
	if (resource.hash !== "" || resource.search !== "" || /[?#]/.test(metadata.resource as string)) {
		fail('"resource.metadata.resource" must have no query and no fragment (RFC 9728 §1.2).');
	}
	for (const [name, value] of Object.entries(metadata)) {
		if (value === undefined) continue;
		if (name.includes("#")) {
			if (typeof value !== "string") fail(`"resource.metadata.${name}" must be a string.`);
		} else if (!KNOWN.has(name)) {
			fail(`"resource.metadata" has no member "${name}"; did you mean "${closest(name)}"? (RFC 9728 §2)`);
		} else if (name === "authorization_servers") {
			stringList(value, name, (item) => httpUrl(item, name) !== undefined, "issuer URLs");
		} else if (name === "scopes_supported") {
			stringList(value, name, (item) => SCOPE_TOKEN.test(item), "scope values without spaces or quotes");
		} else if (name === "bearer_methods_supported") {
			stringList(value, name, (item) => BEARER_METHODS.has(item), "'header', 'body' or 'query'");
		} else if (STRING_LIST_MEMBERS.includes(name)) {
			stringList(value, name, (item) => item !== "" && item.toLowerCase() !== "none", "algorithm names");
		} else if (URL_MEMBERS.includes(name)) {
			httpUrl(value, name);
		} else if (BOOLEAN_MEMBERS.includes(name)) {
			if (typeof value !== "boolean") fail(`"resource.metadata.${name}" must be true or false.`);
		} else if (typeof value !== "string" || value === "") {
			fail(`"resource.metadata.${name}" must be a non-empty string.`);
		}
	}
}

/** A deep copy of plain data, frozen, so the served document cannot change after it is checked. */
function frozenCopy<T>(value: T): T {
	if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
	if (value !== null && typeof value === "object") {
		const entries = Object.entries(value).filter(([, item]) => item !== undefined);
		return Object.freeze(Object.fromEntries(entries.map(([key, item]) => [key, frozenCopy(item)]))) as T;
	}
	return value;
}

/**
 * The metadata URL of a resource identifier (RFC 9728 §3.1): the well-known path goes between the host
 * and the path; a resource without a path (or with `/` alone) has none after it.
 *
 * @example
 * ```ts
 * resourceMetadataUrl('https://api.example.com/mcp') // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
	const url = new URL(resource);
	const path = url.pathname === "/" ? "" : url.pathname;
	return `${url.origin}${RESOURCE_METADATA_PATH}${path}`;
}

/** The answers, built once: JSON, cacheable for an hour, readable by any origin (browsers, MCP clients). */
function buildAnswers(document: string) {
	const headers = Object.freeze({
		"content-type": "application/json",
		"cache-control": "public, max-age=3600",
		"access-control-allow-origin": "*",
	});
	const get: ResourceMetadataAnswer = Object.freeze({ status: 200, headers, body: document });
	const head: ResourceMetadataAnswer = Object.freeze({
		status: 200,
		headers: Object.freeze({ ...headers, "content-length": String(Buffer.byteLength(document)) }),
		body: "",
	});
	const preflight: ResourceMetadataAnswer = Object.freeze({
		status: 204,
		headers: Object.freeze({
			"access-control-allow-origin": "*",
			"access-control-allow-methods": "GET, HEAD, OPTIONS",
			"access-control-allow-headers": "*",
			"access-control-max-age": "86400",
		}),
		body: "",
	});
	return { get, head, preflight };
}

/**
 * Validates the `resource` option (a `TypeError` says what to fix) and prepares what every adapter
 * serves: the document at its metadata URL's path and at the bare well-known path, for GET, HEAD and
 * the CORS preflight.
 *
 * @example
 * ```ts
 * const served = createResourceMetadata({ metadata: { resource: 'https://api.example.com/mcp', authorization_servers: [issuer] } })
 * served.url                                                       // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * served.answer('GET', '/.well-known/oauth-protected-resource/mcp') // { status: 200, headers, body }
 * ```
 */
export function createResourceMetadata(options: ResourceOptions): ResourceMetadata {
	if (typeof options !== "object" || options === null) {
		fail('"resource" must be an object such as { metadata: { resource, authorization_servers } }.');
	}
	const extra = Object.keys(options).find((key) => key !== "metadata");
	if (extra !== undefined) fail(`"resource" has no option "${extra}"; it takes { metadata }.`);
	const given: unknown = options.metadata;
	if (typeof given !== "object" || given === null || Array.isArray(given)) {
		fail('"resource.metadata" must be an object such as { resource, authorization_servers }.');
	}
	checkMetadata(given as Record<string, unknown>);
	const metadata = frozenCopy(given as ProtectedResourceMetadata);
	const url = resourceMetadataUrl(metadata.resource);
	const own = new URL(url).pathname;
	const paths = Object.freeze(own === RESOURCE_METADATA_PATH ? [own] : [own, RESOURCE_METADATA_PATH]);
	const { get, head, preflight } = buildAnswers(JSON.stringify(metadata));
	return Object.freeze({
		metadata,
		url,
		paths,
		answer(method: string, target: string): ResourceMetadataAnswer | undefined {
			if (!target.startsWith(RESOURCE_METADATA_PATH)) return undefined;
			const query = target.indexOf("?");
			if (!paths.includes(query === -1 ? target : target.slice(0, query))) return undefined;
			if (method === "GET") return get;
			if (method === "HEAD") return head;
			return method === "OPTIONS" ? preflight : undefined;
		},
	});
}
