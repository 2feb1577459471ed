/**
 * The `htu` of RFC 9449 §4.3 step 9: the request's URL without query and fragment, compared after the
 * normalisation of RFC 3986 §6.2.2 and §6.2.3 (case of scheme and host, default port, dot segments,
 * percent-encoding case, unreserved characters decoded). The request's URL is what the framework says
 * under its own trust-proxy setting; a host that is not a host (`a.com/x`, `a@b`, spaces) is refused
 * before parsing, so a forged `Host` or `X-Forwarded-Host` cannot move the path.
 */

/** A URL's host part: a name or IPv4 address, or a bracketed IPv6 address, and an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const TARGET = /^(https?):\/\/([^/?#]*)([^?#]*)/i;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normalizePercent(path: string): string {
	if (!path.includes("%")) return path;
	return path.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
		const char = String.fromCharCode(Number.parseInt(hex, 16));
		return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
	});
}

/** `scheme://host[:port]/path`, normalised; `undefined` when `url` is not an absolute http(s) URL. */
function normalize(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	if (
		(parsed.protocol !== "https:" && parsed.protocol !== "http:") ||
		parsed.username !== "" ||
		parsed.password !== ""
	) {
		return undefined;
	}
	return `${parsed.protocol}//${parsed.host}${normalizePercent(parsed.pathname)}`;
}

/** Recent request URLs and their normalised targets: a route's URL repeats, so it is parsed once. */
const targets = new Map<string, string | undefined>();
/** The most request URLs held (module-wide, every verifier of the process together). */
export const MAX_TARGETS = 1024;

/** How many request URLs the module-wide cache holds now (for tests and metrics; never above {@link MAX_TARGETS}). */
export function cachedTargets(): number {
	return targets.size;
}

/**
 * The normalised target of the request's URL as the framework gave it, or `undefined` when its host is
 * malformed or it is not an absolute http(s) URL (no proof can match it then).
 *
 * @example
 * ```ts
 * requestTarget('https://API.example.com:443/v1/a%7e?x=1') // 'https://api.example.com/v1/a~'
 * ```
 */
export function requestTarget(url: string): string | undefined {
	if (targets.has(url)) return targets.get(url);
	const match = TARGET.exec(url);
	const target = match !== null && HOST.test(match[2] as string) ? normalize(url) : undefined;
	if (targets.size >= MAX_TARGETS) targets.clear();
	targets.set(url, target);
	return target;
}

/**
 * Whether the headers the framework builds the request's URL from are what they claim to be: at most
 * one `Host`, itself a host; every element of every `X-Forwarded-Host` list a host; every element of
 * every `X-Forwarded-Proto` list `http` or `https`. The framework builds the URL as scheme + `://` +
 * host + path from one of them (which one depends on its trust-proxy setting), so a host such as
 * `api.example.com/other`, or a scheme such as `https://api.example.com/other#`, would move the path
 * (and `a@b` or a comma list in `Host` would let the framework pick a part): no proof matches such a
 * request.
 *
 * @example
 * ```ts
 * wellFormedOrigin(['api.example.com'], ['api.example.com, proxy.internal'], ['https']) // true
 * wellFormedOrigin(['api.example.com/other'], [], []) // false
 * ```
 */
export function wellFormedOrigin(
	hosts: readonly string[],
	forwardedHosts: readonly string[],
	forwardedProtos: readonly string[],
): boolean {
	if (hosts.length > 1 || (hosts.length === 1 && !HOST.test(hosts[0] as string))) return false;
	return (
		forwardedHosts.every((list) => list.split(",").every((part) => HOST.test(part.trim()))) &&
		forwardedProtos.every((list) => list.split(",").every((part) => /^https?$/i.test(part.trim())))
	);
}

/**
 * Whether a proof's `htu` names the request's target (`requestTarget`): equal after normalisation, the
 * proof's own query and fragment ignored.
 *
 * @example
 * ```ts
 * htuMatches('https://api.example.com/v1/a', 'https://api.example.com/v1/a') // true
 * ```
 */
export function htuMatches(htu: string, target: string): boolean {
	if (htu === target) return true;
	return normalize(htu) === target;
}
