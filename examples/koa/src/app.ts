import { json } from "node:stream/consumers";
import { type ApiKeyRecord, type KoaAuthOptions, requireAuth, requirePermissions } from "@bearerguard/koa";
import Koa, { type Context, type Middleware } from "koa";

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
export function createApp(options: KoaAuthOptions = {}, legacyKeys: readonly ApiKeyRecord[] = []): Koa {
	const products = new Map<string, Product>([
		["p_1", { id: "p_1", name: "Espresso beans", price: 18.5 }],
		["p_2", { id: "p_2", name: "Pour-over kettle", price: 42 }],
	]);
	let nextId = 3;
	const payments: readonly Payment[] = [
		{ id: "pay_1", productId: "p_1", amount: 18.5, status: "settled" },
		{ id: "pay_2", productId: "p_2", amount: 42, status: "pending" },
	];

	const app = new Koa();
	app.use(async (ctx, next) => {
		if (ctx.method !== "GET" || ctx.path !== "/v1/health") return next();
		ctx.body = { status: "ok" };
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
		app.use(
			route("GET", "/v1/legacy/products", legacy, (ctx) => {
				ctx.body = { products: [...products.values()] };
			}),
		);
	}

	// Payments take only DPoP-bound tokens: `Authorization: DPoP <token>` and a fresh `DPoP` proof for this
	// method and URL; a bearer token is answered as no credentials. Its own requireAuth, before the one
	// below, whose guard takes bearer tokens only. Behind a proxy, set `app.proxy` so the URL is the public one.
	// `options.dpop` may bring a shared replay store (createReplayStore of @bearerguard/redis on a fleet).
	const dpopOnly = requireAuth({
		organization: { required: true, header: "x-organization-id" },
		...options,
		dpop: { ...options.dpop, mode: "required" },
		permissions: ["read"],
	});
	app.use(
		route("GET", "/v1/payments", dpopOnly, (ctx) => {
			ctx.body = { payments };
		}),
	);

	// Every route below needs a valid token; the x-organization-id header, when sent, must match its org_id.
	app.use(requireAuth({ organization: { required: true, header: "x-organization-id" }, ...options }));

	app.use(
		route("GET", "/v1/products", requirePermissions("read"), (ctx) => {
			ctx.body = { products: [...products.values()] };
		}),
	);

	// The body is read only once the caller may write (a real app would use @koa/bodyparser).
	app.use(
		route("POST", "/v1/products", requirePermissions("write"), async (ctx) => {
			const { name, price } = ((await json(ctx.req).catch(() => undefined)) ?? {}) as Partial<Product>;
			if (typeof name !== "string" || typeof price !== "number") {
				ctx.status = 422;
				ctx.body = { error: "invalid_product", message: "name (string) and price (number) are required" };
				return;
			}
			const product = { id: `p_${nextId++}`, name, price };
			products.set(product.id, product);
			ctx.status = 201;
			ctx.body = product;
		}),
	);

	app.use(
		route("DELETE", "/v1/products/:id", requirePermissions("delete"), (ctx, params) => {
			ctx.status = products.delete(params.id ?? "") ? 204 : 404;
		}),
	);

	app.use(
		route("GET", "/v1/settings", requirePermissions("admin"), (ctx) => {
			ctx.body = { organization: ctx.state.auth?.organization, subject: ctx.state.auth?.subject };
		}),
	);

	return app;
}

type Handler = (ctx: Context, params: Record<string, string>) => unknown;

/** A minimal router (a real app would use @koa/router): on a matching request, runs `guard` then `handler`. */
function route(method: string, path: string, guard: Middleware, handler: Handler): Middleware {
	const pattern = new RegExp(`^${path.replace(/:(\w+)/g, "(?<$1>[^/]+)")}$`);
	return async (ctx, next) => {
		const match = ctx.method === method ? pattern.exec(ctx.path) : null;
		if (!match) return next();
		await guard(ctx, async () => {
			await handler(ctx, match.groups ?? {});
		});
	};
}
