import bearerGuard, { type ApiKeyRecord, type FastifyAuthOptions } from "@bearerguard/fastify";
import Fastify, { type FastifyInstance } from "fastify";

interface Product {
	id: string;
	name: string;
	price: number;
}

interface Payment {
	id: string;
	productId: string;
	amount: number;
	status: "settled" | "pending";
}

const productSchema = {
	type: "object",
	required: ["name", "price"],
	properties: { name: { type: "string" }, price: { type: "number" } },
	additionalProperties: false,
} as const;

/** How API key clients learn to move to OAuth: on every answer to a request made with a key. */
export const LEGACY_DEPRECATION = {
	since: "2026-01-01T00:00:00Z",
	sunset: "2027-01-01T00:00:00Z",
	link: "https://developer.example.com/migrate-to-oauth",
};

/**
 * The products API: public health, everything else behind a bearer token of one organization. With
 * `legacyKeys` (stored API keys: hashes only), `GET /v1/legacy/products` also takes `X-API-Key`.
 * `GET /v1/payments` takes only DPoP-bound tokens (RFC 9449), each request with a fresh proof.
 */
export async function createApp(
	options: FastifyAuthOptions = {},
	legacyKeys: readonly ApiKeyRecord[] = [],
): Promise<FastifyInstance> {
	const products = new Map<string, Product>([
		["p_1", { id: "p_1", name: "Espresso beans", price: 18.5 }],
		["p_2", { id: "p_2", name: "Pour-over kettle", price: 42 }],
	]);
	let nextId = 3;
	const payments: readonly Payment[] = [
		{ id: "pay_1", productId: "p_1", amount: 18.5, status: "settled" },
		{ id: "pay_2", productId: "p_2", amount: 42, status: "pending" },
	];

	const app = Fastify();
	// Guarded routes need a valid token; the x-organization-id header, when sent, must match its org_id.
	await app.register(bearerGuard, {
		organization: { required: true, header: "x-organization-id" },
		prefetch: true, // load the issuer's keys at registration, so /readyz can turn 200 before traffic
		...options,
	});

	app.get("/v1/health", async () => ({ status: "ok" }));

	// Readiness probe: 503 until every issuer's keys are loaded, with what health() says per issuer.
	app.get("/readyz", async (_request, reply) => {
		const health = app.authVerifier.health();
		return reply.code(health.ready ? 200 : 503).send(health);
	});

	app.get("/v1/products", { onRequest: app.requireAuth({ permissions: ["read"] }) }, async () => ({
		products: [...products.values()],
	}));

	// onRequest runs before the body is parsed, so only callers who may write get it parsed.
	app.post<{ Body: Omit<Product, "id"> }>(
		"/v1/products",
		{ onRequest: app.requireAuth({ permissions: ["write"] }), schema: { body: productSchema } },
		async (request, reply) => {
			const product = { id: `p_${nextId++}`, ...request.body };
			products.set(product.id, product);
			return reply.code(201).send(product);
		},
	);

	app.delete<{ Params: { id: string } }>(
		"/v1/products/:id",
		{ onRequest: app.requireAuth({ permissions: ["delete"] }) },
		async (request, reply) => reply.code(products.delete(request.params.id) ? 204 : 404).send(),
	);

	// The legacy route of the older services: an API key in X-API-Key (or a bearer token). Every answer
	// to a key request carries Deprecation, Sunset and Link headers, so its clients move to OAuth.
	if (legacyKeys.length > 0) {
		const apiKeys = { keys: legacyKeys, deprecation: LEGACY_DEPRECATION };
		app.get(
			"/v1/legacy/products",
			{ onRequest: app.requireAuth({ apiKeys, permissions: ["read"] }) },
			async () => ({
				products: [...products.values()],
			}),
		);
	}

	// Payments take only DPoP-bound tokens: `Authorization: DPoP <token>` and a fresh `DPoP` proof for this
	// method and URL; a bearer token is answered as no credentials. A verifier option (`dpop`) makes this
	// hook verify by itself, with the plugin's options under it. Behind a proxy, set Fastify's `trustProxy`
	// so the URL is the public one. `options.dpop` may bring a shared replay store (a fleet's Redis).
	app.get(
		"/v1/payments",
		{ onRequest: app.requireAuth({ dpop: { ...options.dpop, mode: "required" }, permissions: ["read"] }) },
		async () => ({ payments }),
	);

	app.get("/v1/settings", { onRequest: app.requireAuth({ permissions: ["admin"] }) }, async (request) => ({
		organization: request.auth?.organization,
		subject: request.auth?.subject,
	}));

	return app;
}
