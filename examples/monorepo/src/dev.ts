// The whole monorepo on one machine: an embedded test issuer, the orders service (NestJS) on 3010 and
// the catalog service (Hono) on 3011, both configured by @acme/auth, and a token that works on both.
// Run: pnpm --filter @acme/monorepo start
import { PERMISSIONS } from "@acme/auth";
import { createCatalogApp } from "@acme/catalog-service";
import { createOrdersApp } from "@acme/orders-service";
import { createTestIssuer } from "@bearerguard/testing";
import { serve } from "@hono/node-server";

const issuer = await createTestIssuer({ audience: "https://api.acme.test" });
const settings = { issuer: issuer.issuer, audience: issuer.audience };
const orders = await createOrdersApp(settings);
await orders.listen(3010);
serve({ fetch: createCatalogApp(settings).fetch, port: 3011 });
const token = await issuer.sign({
	org_id: "org_acme",
	permissions: [PERMISSIONS.readOrders, PERMISSIONS.readCatalog],
});
console.log(`issuer ${issuer.issuer}; orders on http://localhost:3010, catalog on http://localhost:3011`);
for (const url of ["http://localhost:3010/v1/orders", "http://localhost:3011/v1/products"]) {
	console.log(`curl -H "Authorization: Bearer ${token}" ${url}`);
}
