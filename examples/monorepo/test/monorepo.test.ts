import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ORGANIZATION_HEADER, PERMISSIONS } from "@acme/auth";
import { createCatalogApp } from "@acme/catalog-service";
import { createOrdersApp } from "@acme/orders-service";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { getRequestListener } from "@hono/node-server";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Both services of the monorepo against one issuer: the same token gets the same answer from each. */
let issuer: TestIssuer;
let stranger: TestIssuer;
let orders: Awaited<ReturnType<typeof createOrdersApp>>;
let catalog: Server;
let ordersUrl: string;
let catalogUrl: string;

beforeAll(async () => {
	[issuer, stranger] = await Promise.all([
		createTestIssuer({ audience: "https://api.acme.test" }),
		createTestIssuer({ audience: "https://api.acme.test" }),
	]);
	const settings = { issuer: issuer.issuer, audience: issuer.audience };
	orders = await createOrdersApp(settings);
	await orders.listen(0, "127.0.0.1");
	ordersUrl = `http://127.0.0.1:${(orders.getHttpServer().address() as AddressInfo).port}`;
	catalog = createServer(getRequestListener(createCatalogApp(settings).fetch));
	await new Promise<void>((resolve) => catalog.listen(0, "127.0.0.1", resolve));
	catalogUrl = `http://127.0.0.1:${(catalog.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await orders?.close();
	catalog?.closeAllConnections();
	await new Promise((resolve) => catalog?.close(resolve));
	await Promise.all([issuer?.close(), stranger?.close()]);
});

interface Answer {
	readonly status: number;
	readonly contentType: string | undefined;
	readonly cacheControl: string | undefined;
	readonly challenge: string | undefined;
	readonly body: string;
}

async function get(base: string, path: string, headers: Record<string, string>): Promise<Answer> {
	const res = await request(base).get(path).set(headers);
	return {
		status: res.status,
		contentType: res.headers["content-type"],
		cacheControl: res.headers["cache-control"],
		challenge: res.headers["www-authenticate"],
		body: res.text,
	};
}

/** The same request to the orders list (NestJS) and the product list (Hono). */
const both = (headers: Record<string, string>) =>
	Promise.all([get(ordersUrl, "/v1/orders", headers), get(catalogUrl, "/v1/products", headers)]);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const READ_BOTH = [PERMISSIONS.readOrders, PERMISSIONS.readCatalog];
const challenge = (message: string, error = "invalid_token") =>
	`Bearer realm="api", error="${error}", error_description="${message}"`;

describe("one auth configuration, two frameworks", () => {
	it("both health checks are public", async () => {
		expect((await request(ordersUrl).get("/v1/health")).body).toEqual({ status: "ok", service: "orders" });
		expect((await request(catalogUrl).get("/v1/health")).body).toEqual({ status: "ok", service: "catalog" });
	});

	it("a token with both permissions and an organization is accepted by both", async () => {
		const token = await issuer.sign({ org_id: "org_acme", permissions: READ_BOTH });
		const [fromOrders, fromCatalog] = await both(bearer(token));
		expect(fromOrders.status).toBe(200);
		expect(JSON.parse(fromOrders.body)).toEqual({
			orders: [{ id: "o_1", organization: "org_acme", product: "p_1", createdBy: "user_1" }],
		});
		expect(fromCatalog.status).toBe(200);
		expect(JSON.parse(fromCatalog.body)).toEqual({
			products: [{ id: "p_1", name: "Espresso beans", price: 18.5 }],
		});
	});

	it("the shared permission names decide on each: orders:read alone opens orders, not the catalog", async () => {
		const token = await issuer.sign({ org_id: "org_acme", scope: PERMISSIONS.readOrders });
		const [fromOrders, fromCatalog] = await both(bearer(token));
		expect(fromOrders.status).toBe(200);
		expect(fromCatalog).toEqual({
			status: 403,
			contentType: "application/json",
			cacheControl: "no-store",
			challenge:
				'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="catalog:read"',
			body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		});
	});

	const refusals: ReadonlyArray<
		[string, () => Promise<Record<string, string>>, Omit<Answer, "contentType" | "cacheControl">]
	> = [
		[
			"no token",
			async () => ({}),
			{
				status: 401,
				challenge: 'Bearer realm="api"',
				body: '{"error":"invalid_token","message":"Missing bearer token"}',
			},
		],
		[
			"an expired token",
			async () =>
				bearer(await issuer.sign({ org_id: "org_acme", permissions: READ_BOTH }, { expiresIn: -60 })),
			{
				status: 401,
				challenge: challenge("Token has expired"),
				body: '{"error":"invalid_token","message":"Token has expired"}',
			},
		],
		[
			"a token without an organization (the shared rule requires one)",
			async () => bearer(await issuer.sign({ permissions: READ_BOTH })),
			{
				status: 400,
				challenge: challenge("Missing or invalid organization ID", "invalid_request"),
				body: '{"error":"invalid_request","message":"Missing or invalid organization ID"}',
			},
		],
		[
			"an organization header that differs from the token's",
			async () => ({
				...bearer(await issuer.sign({ org_id: "org_acme", permissions: READ_BOTH })),
				[ORGANIZATION_HEADER]: "org_other",
			}),
			{
				status: 400,
				challenge: challenge("Missing or invalid organization ID", "invalid_request"),
				body: '{"error":"invalid_request","message":"Missing or invalid organization ID"}',
			},
		],
		[
			"a token signed by another issuer's key",
			async () =>
				bearer(await stranger.sign({ iss: issuer.issuer, org_id: "org_acme", permissions: READ_BOTH })),
			{
				status: 401,
				challenge: challenge("Token signing key is unknown"),
				body: '{"error":"invalid_token","message":"Token signing key is unknown"}',
			},
		],
	];

	it.each(refusals)("%s: the same answer, byte for byte, from both", async (_name, headers, expected) => {
		const [fromOrders, fromCatalog] = await both(await headers());
		expect(fromOrders).toEqual({ ...expected, contentType: "application/json", cacheControl: "no-store" });
		expect(fromCatalog).toEqual(fromOrders);
	});

	it("writes need the write permissions of each service", async () => {
		const token = await issuer.sign({
			sub: "user_9",
			org_id: "org_acme",
			permissions: [PERMISSIONS.writeOrders, PERMISSIONS.writeCatalog],
		});
		const order = await request(ordersUrl).post("/v1/orders").set(bearer(token)).send({ product: "p_1" });
		expect(order.status).toBe(201);
		expect(order.body).toEqual({ id: "o_2", organization: "org_acme", product: "p_1", createdBy: "user_9" });
		const product = await request(catalogUrl)
			.post("/v1/products")
			.set(bearer(token))
			.send({ name: "Mug", price: 9 });
		expect(product.status).toBe(201);
		expect(product.body).toEqual({ id: "p_2", name: "Mug", price: 9, createdBy: "user_9" });
	});
});
