import { type AuthSettings, authOptions, PERMISSIONS } from "@acme/auth";
import { type AuthEnv, requireAuth, requirePermissions } from "@bearerguard/hono";
import { Hono } from "hono";

interface Product {
	readonly id: string;
	readonly name: string;
	readonly price: number;
}

/**
 * The catalog service, configured by `@acme/auth` (from `AUTH_ISSUER` and `AUTH_AUDIENCE` unless
 * `settings` are given): health is public, everything under `/v1/products` needs a token.
 */
export function createCatalogApp(settings?: AuthSettings): Hono<AuthEnv> {
	const products: Product[] = [{ id: "p_1", name: "Espresso beans", price: 18.5 }];
	const app = new Hono<AuthEnv>();
	app.get("/v1/health", (c) => c.json({ status: "ok", service: "catalog" }));
	app.use("/v1/products/*", requireAuth(authOptions(settings)));
	app.use("/v1/products", requireAuth(authOptions(settings)));
	app.get("/v1/products", requirePermissions(PERMISSIONS.readCatalog), (c) => c.json({ products }));
	app.post("/v1/products", requirePermissions(PERMISSIONS.writeCatalog), async (c) => {
		const { name, price } = (await c.req.json().catch(() => ({}))) as Partial<Product>;
		const product = { id: `p_${products.length + 1}`, name: String(name), price: Number(price) };
		products.push(product);
		return c.json({ ...product, createdBy: c.get("auth")?.subject }, 201);
	});
	return app;
}
