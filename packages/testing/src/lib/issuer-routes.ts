import type { IncomingMessage, ServerResponse } from "node:http";
import type { JwksResponseOptions, TestIssuerRequests } from "../types.js";
import { sendJson, sendRaw } from "./send-json.js";
import { handleTokenRequest, type TokenMinter } from "./token-endpoint.js";

/** The paths the issuer answers on, each without query string. */
export interface IssuerPaths {
	/** `{issuerPath}/.well-known/openid-configuration`, or undefined when not served. */
	readonly openid: string | undefined;
	/** `/.well-known/oauth-authorization-server{issuerPath}`, or undefined when not served. */
	readonly oauth: string | undefined;
	/** `/.well-known/jwks.json{issuerPath}` */
	readonly jwks: string;
	/** `{issuerPath}/oauth/token` */
	readonly token: string;
}

/** What the routes serve. */
export interface RouteSources {
	readonly paths: IssuerPaths;
	/** The body of both discovery documents. */
	readonly metadata: Readonly<Record<string, unknown>>;
	jwks(): unknown;
	readonly mint: TokenMinter;
}

/** The request handler and its controls. */
export interface IssuerRoutes {
	handle(req: IncomingMessage, res: ServerResponse): void;
	readonly requests: TestIssuerRequests;
	setJwks(body: unknown, options?: JwksResponseOptions): void;
	/** Cancels delayed JWKS responses (on close). */
	cancelPending(): void;
}

interface JwksOverride {
	readonly body: string;
	readonly status: number;
	readonly delay: number;
	readonly headers: Readonly<Record<string, string>>;
}

const CACHE_FOR_5_MINUTES = "max-age=300";

function toOverride(body: unknown, options: JwksResponseOptions = {}): JwksOverride {
	const { status = 200, delay = 0, headers = {} } = options;
	if (!Number.isInteger(status) || status < 100 || status > 599) {
		throw new TypeError("status must be an HTTP status code from 100 to 599.");
	}
	if (!Number.isFinite(delay) || delay < 0) throw new TypeError("delay must be a non-negative number of ms.");
	const text = typeof body === "string" ? body : JSON.stringify(body);
	if (text === undefined) throw new TypeError("The JWKS body must be a string or JSON-serializable.");
	const lowerCased = Object.fromEntries(
		Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
	);
	return { body: text, status, delay, headers: lowerCased };
}

/**
 * Routes the issuer's HTTP requests: metadata documents, the JWKS (or its replacement), the
 * token endpoint; anything else is a 404 JSON body. Counts served documents.
 *
 * @example
 * ```ts
 * const routes = createIssuerRoutes(sources);
 * http.createServer(routes.handle);
 * ```
 */
export function createIssuerRoutes(sources: RouteSources): IssuerRoutes {
	const counters = { discovery: 0, jwks: 0 };
	const pending = new Set<ReturnType<typeof setTimeout>>();
	let override: JwksOverride | undefined;

	const serveJwks = (res: ServerResponse): void => {
		counters.jwks++;
		if (!override) {
			sendJson(res, 200, sources.jwks(), CACHE_FOR_5_MINUTES);
			return;
		}
		const { body, status, delay, headers } = override;
		const send = (): void =>
			sendRaw(res, status, body, {
				"content-type": "application/json",
				"cache-control": CACHE_FOR_5_MINUTES,
				...headers,
			});
		if (delay === 0) {
			send();
			return;
		}
		const timer = setTimeout(() => {
			pending.delete(timer);
			send();
		}, delay);
		pending.add(timer);
	};

	const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const pathname = (req.url ?? "/").split("?")[0];
		const { paths } = sources;
		if (req.method === "GET" && (pathname === paths.openid || pathname === paths.oauth)) {
			counters.discovery++;
			sendJson(res, 200, sources.metadata, CACHE_FOR_5_MINUTES);
		} else if (req.method === "GET" && pathname === paths.jwks) {
			serveJwks(res);
		} else if (req.method === "POST" && pathname === paths.token) {
			await handleTokenRequest(req, res, sources.mint);
		} else {
			sendJson(res, 404, { error: "not_found" });
		}
	};

	return {
		handle(req, res) {
			route(req, res).catch(() => sendJson(res, 500, { error: "server_error" }));
		},
		get requests() {
			return { ...counters };
		},
		setJwks(body, options) {
			override = body === undefined ? undefined : toOverride(body, options);
		},
		cancelPending() {
			for (const timer of pending) clearTimeout(timer);
			pending.clear();
		},
	};
}
