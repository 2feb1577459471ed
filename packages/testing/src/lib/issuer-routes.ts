import type { IncomingMessage, ServerResponse } from "node:http";
import type {
	IntrospectionClient,
	IntrospectionResponseOptions,
	JwksResponseOptions,
	TestIssuerRequests,
} from "../types.js";
import type { IntrospectionSources } from "./introspect.js";
import { handleIntrospectionRequest } from "./introspection-endpoint.js";
import { createOverrideSender, type ResponseOverride, toOverride } from "./response-override.js";
import { sendJson } from "./send-json.js";
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
	/** `{issuerPath}/oauth/introspect` */
	readonly introspection: string;
}

/** What the routes serve. */
export interface RouteSources {
	readonly paths: IssuerPaths;
	/** The body of both discovery documents. */
	readonly metadata: Readonly<Record<string, unknown>>;
	jwks(): unknown;
	readonly mint: TokenMinter;
	/** The advertised token endpoint URL (a DPoP proof's `htu`). */
	readonly tokenEndpoint: string;
	readonly introspectionClient: IntrospectionClient;
	readonly introspection: IntrospectionSources;
}

/** The request handler and its controls. */
export interface IssuerRoutes {
	handle(req: IncomingMessage, res: ServerResponse): void;
	readonly requests: TestIssuerRequests;
	setJwks(body: unknown, options?: JwksResponseOptions): void;
	setIntrospection(body: unknown, options?: IntrospectionResponseOptions): void;
	/** Cancels delayed responses (on close). */
	cancelPending(): void;
}

const CACHE_FOR_5_MINUTES = "max-age=300";
const JWKS_HEADERS = { "content-type": "application/json", "cache-control": CACHE_FOR_5_MINUTES };
const INTROSPECTION_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * Routes the issuer's HTTP requests: metadata documents, the JWKS (or its replacement), the
 * token endpoint, the introspection endpoint (or its replacement); anything else is a 404 JSON
 * body. Counts served documents and introspection requests.
 *
 * @example
 * ```ts
 * const routes = createIssuerRoutes(sources);
 * http.createServer(routes.handle);
 * ```
 */
export function createIssuerRoutes(sources: RouteSources): IssuerRoutes {
	const counters = { discovery: 0, jwks: 0, introspection: 0 };
	const sender = createOverrideSender();
	let jwksOverride: ResponseOverride | undefined;
	let introspectionOverride: ResponseOverride | undefined;

	const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const pathname = (req.url ?? "/").split("?")[0];
		const { paths } = sources;
		if (req.method === "GET" && (pathname === paths.openid || pathname === paths.oauth)) {
			counters.discovery++;
			sendJson(res, 200, sources.metadata, CACHE_FOR_5_MINUTES);
		} else if (req.method === "GET" && pathname === paths.jwks) {
			counters.jwks++;
			if (jwksOverride) sender.send(res, jwksOverride, JWKS_HEADERS);
			else sendJson(res, 200, sources.jwks(), CACHE_FOR_5_MINUTES);
		} else if (req.method === "POST" && pathname === paths.token) {
			await handleTokenRequest(req, res, sources.mint, sources.tokenEndpoint);
		} else if (req.method === "POST" && pathname === paths.introspection) {
			counters.introspection++;
			if (introspectionOverride) {
				req.resume();
				sender.send(res, introspectionOverride, INTROSPECTION_HEADERS);
			} else {
				await handleIntrospectionRequest(req, res, sources.introspectionClient, sources.introspection);
			}
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
			jwksOverride = body === undefined ? undefined : toOverride(body, options, "JWKS");
		},
		setIntrospection(body, options) {
			introspectionOverride = body === undefined ? undefined : toOverride(body, options, "introspection");
		},
		cancelPending() {
			sender.cancelPending();
		},
	};
}
