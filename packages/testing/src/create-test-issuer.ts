import { issuerMetadata, issuerUrls } from "./lib/issuer-metadata.js";
import { createIssuerRoutes } from "./lib/issuer-routes.js";
import { createKeyStore } from "./lib/key-store.js";
import { listen } from "./lib/listen.js";
import { type MintContext, mintToken, signingKeyFor } from "./lib/mint-token.js";
import { resolveOptions } from "./lib/options.js";
import type { TestIssuer, TestIssuerOptions } from "./types.js";

/**
 * Starts a real local OAuth 2.0 issuer on loopback and returns it once it listens.
 *
 * It serves `{issuer}/.well-known/openid-configuration`,
 * `{origin}/.well-known/oauth-authorization-server{issuerPath}`, the JWKS at
 * {@link TestIssuer.jwksUri} (`Cache-Control: max-age=300`) and a client-credentials token
 * endpoint at `POST {issuer}/oauth/token` that accepts any client. Defaults: RS256, audience
 * `'https://api.example.test'`, `127.0.0.1` on a free port, both discovery documents.
 *
 * @throws TypeError for a bad option; the listen error (e.g. `EADDRINUSE`) if the port is taken
 * @example
 * ```ts
 * import { createTestIssuer } from "@bearerguard/testing";
 *
 * const issuer = await createTestIssuer({ algorithms: ["RS256", "ES256"] });
 * const token = await issuer.sign({ org_id: "org_1", permissions: ["read"] }, { expiresIn: "10m" });
 * await fetch("http://localhost:3000/v1/products", { headers: { authorization: `Bearer ${token}` } });
 * await issuer.close();
 * ```
 */
export async function createTestIssuer(options?: TestIssuerOptions): Promise<TestIssuer> {
	const resolved = resolveOptions(options);
	const { algorithms, audience } = resolved;
	const keys = await createKeyStore(algorithms);
	const server = await listen(resolved.host, resolved.port);
	const urls = issuerUrls(resolved, server.port);
	const context: MintContext = { issuer: urls.issuer, audience, algorithms, keys };
	const routes = createIssuerRoutes({
		paths: urls.paths,
		metadata: issuerMetadata(urls, algorithms),
		jwks: () => keys.jwks(),
		mint: (claims, expiresIn) => mintToken(context, claims, { expiresIn }),
	});
	server.serve(routes.handle);

	return {
		issuer: urls.issuer,
		jwksUri: urls.jwksUri,
		audience,
		secret: keys.secret,
		get jwks() {
			return keys.jwks();
		},
		get requests() {
			return routes.requests;
		},
		sign: (claims, signOptions) => mintToken(context, claims, signOptions),
		rotateKeys: (rotateOptions) => keys.rotate(rotateOptions?.keepOld ?? true),
		publicKey: (alg) => signingKeyFor(context, alg, "public").key,
		privateKey: (alg) => signingKeyFor(context, alg, "private").key,
		setJwks: (body, jwksOptions) => routes.setJwks(body, jwksOptions),
		close: async () => {
			routes.cancelPending();
			await server.close();
		},
	};
}
