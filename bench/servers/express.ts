import type { AddressInfo } from "node:net";
import { requireAuth } from "@bearerguard/express";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { expressjwt, type GetVerificationKey, type Request as JwtRequest } from "express-jwt";
import { auth, requiredScopes } from "express-oauth2-jwt-bearer";
import jwksRsa from "jwks-rsa";
import { hasScope, PRODUCTS, REQUIRED, ROUTE, type RunningServer, type ServerConfig } from "./shared.js";
import type { ServerVariant } from "./variants.js";

type ExpressVariant = ServerVariant<"express">;

/** The middleware in front of the route, per variant, as each library's README configures it. */
function guards(variant: ExpressVariant, config: ServerConfig): RequestHandler[] {
	switch (variant) {
		case "none":
			return [];
		case "bearerguard":
			// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
			return [requireAuth({ permissions: [REQUIRED] })];
		case "express-oauth2-jwt-bearer":
			return [auth({ issuerBaseURL: config.issuer, audience: config.audience }), requiredScopes(REQUIRED)];
		case "express-jwt":
			return [
				expressjwt({
					secret: jwksRsa.expressJwtSecret({ jwksUri: config.jwksUri, cache: true }) as GetVerificationKey,
					algorithms: ["RS256"],
					audience: config.audience,
					issuer: config.issuer,
				}),
				(req, res, next) => {
					if (hasScope((req as JwtRequest).auth, REQUIRED)) next();
					else res.status(403).json({ error: "insufficient_scope" });
				},
			];
	}
}

export async function startExpress(variant: ExpressVariant, config: ServerConfig): Promise<RunningServer> {
	const app = express();
	app.get(ROUTE, ...guards(variant, config), (_req, res) => {
		res.json(PRODUCTS);
	});
	// The peers hand their 401 and 403 to `next(err)`: answer them as an app would, without logging.
	const answerError: ErrorRequestHandler = (error: { status?: number; code?: string }, _req, res, _next) => {
		res.status(error.status ?? 500).json({ error: error.code ?? "error" });
	};
	app.use(answerError);
	const server = app.listen(0, "127.0.0.1");
	await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
