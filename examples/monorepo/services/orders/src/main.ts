// The orders service on its own: AUTH_ISSUER, AUTH_AUDIENCE and PORT (default 3010).
// Run: pnpm --filter @acme/orders-service start (or the whole monorepo: pnpm --filter @acme/monorepo start)
import { createOrdersApp } from "./app.js";

const port = Number(process.env.PORT ?? 3010);
const app = await createOrdersApp();
await app.listen(port);
console.log(`orders service on http://localhost:${port}`);
