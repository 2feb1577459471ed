// The catalog service on its own: AUTH_ISSUER, AUTH_AUDIENCE and PORT (default 3011).
// Run: pnpm --filter @acme/catalog-service start (or the whole monorepo: pnpm --filter @acme/monorepo start)
import { serve } from "@hono/node-server";
import { createCatalogApp } from "./app.js";

const port = Number(process.env.PORT ?? 3011);
serve({ fetch: createCatalogApp().fetch, port }, () =>
	console.log(`catalog service on http://localhost:${port}`),
);
