import { isDeepStrictEqual } from "node:util";

/** The tokens the tour sends, minted (or forged) once per run. */
export interface Tokens {
	/** Valid, `read` only, organization `org_demo`. */
	read: string;
	/** Like `read`, but expired an hour ago. */
	expired: string;
	/** Like `read`, but without `org_id`. */
	noOrganization: string;
	/** Valid claims under `{"alg":"none"}` and an empty signature. */
	algNone: string;
	/** Like `read`, but for another API's audience. */
	otherAudience: string;
	/** An API key of the legacy route (`read`, organization `org_demo`). */
	apiKey: string;
	/** A well-formed API key that no app knows. */
	unknownApiKey: string;
}

/** The documented answer to a step. `wwwAuthenticate: undefined` means the header must be absent. */
export interface Expected {
	status: number;
	body: unknown;
	wwwAuthenticate: string | undefined;
	/** Other headers the answer must carry (lower-case names), e.g. an API key's deprecation headers. */
	headers?: Readonly<Record<string, string>>;
}

/** One request of the tour and the answer the contract documents for it. */
export interface Step {
	title: string;
	method: "GET" | "POST";
	path: string;
	token: keyof Tokens | undefined;
	/** Sent as `X-API-Key` instead of a bearer token. */
	apiKey?: "apiKey" | "unknownApiKey";
	body?: unknown;
	expected: Expected;
}

/** An answer as received. */
export interface Answer {
	status: number;
	body: unknown;
	headers: Headers;
}

/** The products every example starts with. */
const PRODUCTS = [
	{ id: "p_1", name: "Espresso beans", price: 18.5 },
	{ id: "p_2", name: "Pour-over kettle", price: 42 },
];

function failure(status: number, error: string, message: string, challenge: string): Expected {
	return { status, body: { error, message }, wwwAuthenticate: challenge };
}

/** The tour, in order. Challenges are spelled out in full: they are what clients parse. */
export const STEPS: readonly Step[] = [
	{
		title: "valid read",
		method: "GET",
		path: "/v1/products",
		token: "read",
		expected: { status: 200, body: { products: PRODUCTS }, wwwAuthenticate: undefined },
	},
	{
		title: "write with a read-only token",
		method: "POST",
		path: "/v1/products",
		token: "read",
		body: { name: "Grinder", price: 99 },
		expected: failure(
			403,
			"insufficient_scope",
			"Insufficient permissions for the requested operation",
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"',
		),
	},
	{
		title: "expired token",
		method: "GET",
		path: "/v1/products",
		token: "expired",
		expected: failure(
			401,
			"invalid_token",
			"Token has expired",
			'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
		),
	},
	{
		title: "token for another audience",
		method: "GET",
		path: "/v1/products",
		token: "otherAudience",
		expected: failure(
			401,
			"invalid_token",
			"Unexpected token audience",
			'Bearer realm="api", error="invalid_token", error_description="Unexpected token audience"',
		),
	},
	{
		title: "token without organization",
		method: "GET",
		path: "/v1/products",
		token: "noOrganization",
		expected: failure(
			400,
			"invalid_request",
			"Missing or invalid organization ID",
			'Bearer realm="api", error="invalid_request", error_description="Missing or invalid organization ID"',
		),
	},
	{
		title: "no token",
		method: "GET",
		path: "/v1/products",
		token: undefined,
		expected: failure(401, "invalid_token", "Missing bearer token", 'Bearer realm="api"'),
	},
	{
		title: 'forged "alg": "none" token',
		method: "GET",
		path: "/v1/products",
		token: "algNone",
		expected: failure(
			401,
			"invalid_token",
			"Token algorithm is not allowed",
			'Bearer realm="api", error="invalid_token", error_description="Token algorithm is not allowed"',
		),
	},
];

/** What every answer to an API key request carries (the examples' `LEGACY_DEPRECATION`). */
const DEPRECATED = {
	deprecation: "@1767225600",
	sunset: "Fri, 01 Jan 2027 00:00:00 GMT",
	link: '<https://developer.example.com/migrate-to-oauth>; rel="deprecation"; type="text/html"',
};

/** The legacy route's steps: an API key in `X-API-Key`, answered with deprecation headers. */
export const KEY_STEPS: readonly Step[] = [
	{
		title: "legacy route with an API key",
		method: "GET",
		path: "/v1/legacy/products",
		token: undefined,
		apiKey: "apiKey",
		expected: { status: 200, body: { products: PRODUCTS }, wwwAuthenticate: undefined, headers: DEPRECATED },
	},
	{
		title: "legacy route with an unknown API key",
		method: "GET",
		path: "/v1/legacy/products",
		token: undefined,
		apiKey: "unknownApiKey",
		expected: {
			...failure(
				401,
				"invalid_token",
				"Invalid API key",
				'Bearer realm="api", error="invalid_token", error_description="Invalid API key"',
			),
			headers: DEPRECATED,
		},
	},
];

/** Builds an unsigned JWT by hand: `{"alg":"none"}` header, the given claims, an empty signature. */
export function forgeAlgNone(claims: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
	return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

/** Sends a step's request: the organization header always (as documented clients do), the token when it has one. */
export async function send(baseUrl: string, step: Step, tokens: Tokens): Promise<Answer> {
	const headers: Record<string, string> = { "x-organization-id": "org_demo" };
	if (step.token) headers.authorization = `Bearer ${tokens[step.token]}`;
	if (step.apiKey) headers["x-api-key"] = tokens[step.apiKey];
	if (step.body !== undefined) headers["content-type"] = "application/json";
	const response = await fetch(new URL(step.path, baseUrl), {
		method: step.method,
		headers,
		body: step.body === undefined ? undefined : JSON.stringify(step.body),
		signal: AbortSignal.timeout(10_000),
	});
	const text = await response.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// not JSON: kept as text, and reported as a difference
	}
	return { status: response.status, body, headers: response.headers };
}

const show = (value: unknown) => (value === undefined ? "(absent)" : JSON.stringify(value));

/** Every way `answer` differs from `expected`; empty when it is the documented answer. */
export function differences(answer: Answer, expected: Expected): string[] {
	const found: string[] = [];
	const compare = (what: string, actual: unknown, wanted: unknown) => {
		if (!isDeepStrictEqual(actual, wanted))
			found.push(`${what}: got ${show(actual)}, expected ${show(wanted)}`);
	};
	compare("status", answer.status, expected.status);
	compare("body", answer.body, expected.body);
	compare("WWW-Authenticate", answer.headers.get("www-authenticate") ?? undefined, expected.wwwAuthenticate);
	compare("Content-Type", answer.headers.get("content-type")?.split(";")[0]?.trim(), "application/json");
	if (expected.status >= 400)
		compare("Cache-Control", answer.headers.get("cache-control") ?? undefined, "no-store");
	for (const [name, value] of Object.entries(expected.headers ?? {})) {
		compare(name, answer.headers.get(name) ?? undefined, value);
	}
	return found;
}
