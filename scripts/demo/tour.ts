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
	/** Like `read`, but bound to a DPoP key (`cnf.jkt`): usable only with a proof of that key. */
	dpopBound: string;
}

/** Signs a DPoP proof of the tour's DPoP key for a request: a new one (new `jti`) at every call. */
export type ProofSigner = (method: string, url: string, token: string) => Promise<string>;

/**
 * The proofs the DPoP steps send: a fresh one, or again the last one sent to the same app (a replay).
 *
 * @example
 * ```ts
 * const proofs = createProofs((method, url, token) => issuer.dpopProof({ method, url, token }))
 * ```
 */
export function createProofs(sign: ProofSigner): Proofs {
	const last = new Map<string, string>();
	return {
		async proof(kind, method, url, token) {
			const origin = new URL(url).origin;
			if (kind === "replayed") {
				const proof = last.get(origin);
				if (proof === undefined) throw new Error("no proof was sent to this app before the replay step");
				return proof;
			}
			const proof = await sign(method, url, token);
			last.set(origin, proof);
			return proof;
		},
	};
}

/** What {@link createProofs} gives {@link send}. */
export interface Proofs {
	proof(kind: "fresh" | "replayed", method: string, url: string, token: string): Promise<string>;
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
	/** Sent as `Authorization: DPoP` with a proof: a fresh one, or the one this app got last (a replay). */
	dpop?: "fresh" | "replayed";
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

/** The payments every example starts with (the DPoP-only `GET /v1/payments`). */
const PAYMENTS = [
	{ id: "pay_1", productId: "p_1", amount: 18.5, status: "settled" },
	{ id: "pay_2", productId: "p_2", amount: 42, status: "pending" },
];

/** The `algs` of the examples' DPoP challenge: the default `dpop.algorithms`. */
const ALGS = 'algs="ES256 Ed25519 EdDSA PS256 RS256"';

/**
 * The DPoP steps (RFC 9449): `GET /v1/payments` takes only DPoP-bound tokens, each request with a fresh
 * proof; a proof is good once; a bound token is never a bearer token, and a bearer token is no credential
 * on the DPoP-only route.
 */
export const DPOP_STEPS: readonly Step[] = [
	{
		title: "DPoP token with a fresh proof",
		method: "GET",
		path: "/v1/payments",
		token: "dpopBound",
		dpop: "fresh",
		expected: { status: 200, body: { payments: PAYMENTS }, wwwAuthenticate: undefined },
	},
	{
		title: "the same DPoP proof again",
		method: "GET",
		path: "/v1/payments",
		token: "dpopBound",
		dpop: "replayed",
		expected: failure(
			401,
			"invalid_dpop_proof",
			"DPoP proof has already been used",
			`DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof has already been used", ${ALGS}`,
		),
	},
	{
		title: "DPoP-bound token sent as Bearer",
		method: "GET",
		path: "/v1/products",
		token: "dpopBound",
		expected: failure(
			401,
			"invalid_token",
			"Token is bound to a DPoP key and must be sent with a DPoP proof",
			'Bearer realm="api", error="invalid_token", error_description="Token is bound to a DPoP key and must be sent with a DPoP proof"',
		),
	},
	{
		title: "bearer token on the DPoP-only route",
		method: "GET",
		path: "/v1/payments",
		token: "read",
		expected: failure(401, "invalid_token", "Missing bearer token", `DPoP realm="api", ${ALGS}`),
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

/**
 * Sends a step's request: the organization header always (as documented clients do), the token when it
 * has one (as `DPoP` with a proof from `proofs` for a DPoP step, else as `Bearer`).
 */
export async function send(baseUrl: string, step: Step, tokens: Tokens, proofs?: Proofs): Promise<Answer> {
	const headers: Record<string, string> = { "x-organization-id": "org_demo" };
	const url = new URL(step.path, baseUrl);
	if (step.token && step.dpop) {
		if (proofs === undefined) throw new Error(`step "${step.title}" needs DPoP proofs`);
		const token = tokens[step.token];
		headers.authorization = `DPoP ${token}`;
		headers.dpop = await proofs.proof(step.dpop, step.method, url.href, token);
	} else if (step.token) headers.authorization = `Bearer ${tokens[step.token]}`;
	if (step.apiKey) headers["x-api-key"] = tokens[step.apiKey];
	if (step.body !== undefined) headers["content-type"] = "application/json";
	const response = await fetch(url, {
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
