import {
	type ApiKeyRecord,
	type ExpressAuthOptions,
	requireAuth,
	requirePermissions,
} from "@bearerguard/express";
import express, { type Express } from "express";

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
export function createApp(
	options: ExpressAuthOptions = {},
	legacyKeys: readonly ApiKeyRecord[] = [],
): Express {
	const products = new Map<string, Product>([
		["p_1", { id: "p_1", name: "Espresso beans", price: 18.5 }],
		["p_2", { id: "p_2", name: "Pour-over kettle", price: 42 }],
	]);
	let nextId = 3;
	const payments: readonly Payment[] = [
		{ id: "pay_1", productId: "p_1", amount: 18.5, status: "settled" },
		{ id: "pay_2", productId: "p_2", amount: 42, status: "pending" },
	];

	const app = express();
	app.get("/v1/health", (_req, res) => {
		res.json({ status: "ok" });
	});

	// Every route below needs a valid token; the x-organization-id header, when sent, must match its org_id.
	// prefetch loads the issuer's keys now, so the first request finds them and /readyz can turn 200.
	const auth = requireAuth({
		organization: { required: true, header: "x-organization-id" },
		prefetch: true,
		...options,
	});

	// Readiness probe: 503 until every issuer's keys are loaded, with what health() says per issuer.
	app.get("/readyz", (_req, res) => {
		const health = auth.verifier.health();
		res.status(health.ready ? 200 : 503).json(health);
	});

	// The legacy route of the older services: an API key in X-API-Key (or a bearer token). Every answer
	// to a key request carries Deprecation, Sunset and Link headers, so its clients move to OAuth.
	if (legacyKeys.length > 0) {
		const legacy = requireAuth({
			organization: { required: true, header: "x-organization-id" },
			...options,
			apiKeys: { keys: legacyKeys, deprecation: LEGACY_DEPRECATION },
			permissions: ["read"],
		});
		app.get("/v1/legacy/products", legacy, (_req, res) => {
			res.json({ products: [...products.values()] });
		});
	}

	// Payments take only DPoP-bound tokens: `Authorization: DPoP <token>` and a fresh `DPoP` proof for this
	// method and URL; a bearer token is answered as no credentials. Its own requireAuth, before app.use(auth),
	// whose guard takes bearer tokens only. Behind a proxy, set `trust proxy` so the URL is the public one.
	// `options.dpop` may bring a shared replay store (createReplayStore of @bearerguard/redis on a fleet).
	const dpopOnly = requireAuth({
		organization: { required: true, header: "x-organization-id" },
		...options,
		dpop: { ...options.dpop, mode: "required" },
		permissions: ["read"],
	});
	app.get("/v1/payments", dpopOnly, (_req, res) => {
		res.json({ payments });
	});

	app.use(auth);

	app.get("/v1/products", requirePermissions("read"), (_req, res) => {
		res.json({ products: [...products.values()] });
	});

	// The body is parsed only once the caller may write.
	app.post("/v1/products", requirePermissions("write"), express.json(), (req, res) => {
		const { name, price } = req.body ?? {};
		if (typeof name !== "string" || typeof price !== "number") {
			res
				.status(422)
				.json({ error: "invalid_product", message: "name (string) and price (number) are required" });
			return;
		}
		const product = { id: `p_${nextId++}`, name, price };
		products.set(product.id, product);
		res.status(201).json(product);
	});

	app.delete<{ id: string }>("/v1/products/:id", requirePermissions("delete"), (req, res) => {
		res.sendStatus(products.delete(req.params.id) ? 204 : 404);
	});

	app.get("/v1/settings", requirePermissions("admin"), (req, res) => {
		res.json({ organization: req.auth?.organization, subject: req.auth?.subject });
	});

	return app;
}
