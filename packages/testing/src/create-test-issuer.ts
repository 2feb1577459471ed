import { randomBytes } from "node:crypto";
import { createTestApiKey } from "./lib/api-key.js";
import { createDpopKey, createDpopProof, seededDpopKey } from "./lib/dpop.js";
import { issuerMetadata, issuerUrls } from "./lib/issuer-metadata.js";
import { createIssuerRoutes } from "./lib/issuer-routes.js";
import { createKeyStore } from "./lib/key-store.js";
import { listen } from "./lib/listen.js";
import { type MintContext, mintToken, signingKeyFor } from "./lib/mint-token.js";
import { mintOpaqueToken } from "./lib/opaque-token.js";
import { type ResolvedOptions, resolveOptions } from "./lib/options.js";
import { seededBytes } from "./lib/seeded-keys.js";
import { createTokenRegistry } from "./lib/token-registry.js";
import type { IntrospectionClient, TestIssuer, TestIssuerOptions } from "./types.js";

function introspectionClientOf({ introspectionClient, seed }: ResolvedOptions): IntrospectionClient {
	if (introspectionClient) return introspectionClient;
	const bytes = seed === undefined ? randomBytes(40) : seededBytes(seed, "introspection-client", 40);
	return {
		clientId: `rs_${bytes.subarray(0, 8).toString("hex")}`,
		clientSecret: bytes.subarray(8).toString("base64url"),
	};
}

/**
 * Starts a real local OAuth 2.0 issuer on loopback and returns it once it listens.
 *
 * It serves `{issuer}/.well-known/openid-configuration`,
 * `{origin}/.well-known/oauth-authorization-server{issuerPath}`, the JWKS at
 * {@link TestIssuer.jwksUri} (`Cache-Control: max-age=300`), a client-credentials token
 * endpoint at `POST {issuer}/oauth/token` that accepts any client (and mints DPoP-bound tokens
 * for a request with a `DPoP` proof), and an RFC 7662 introspection endpoint at
 * `POST {issuer}/oauth/introspect` for {@link TestIssuer.introspectionClient}. Defaults: RS256,
 * audience `'https://api.example.test'`, `127.0.0.1` on a free port, both discovery documents,
 * random keys (stable ones with `seed`).
 *
 * @throws TypeError for a bad option; the listen error (e.g. `EADDRINUSE`) if the port is taken
 * @example
 * ```ts
 * import { createTestIssuer } from "@bearerguard/testing";
 *
 * const issuer = await createTestIssuer({ algorithms: ["RS256", "ES256"], seed: "my-api-tests" });
 * const token = await issuer.sign({ org_id: "org_1", permissions: ["read"] }, { expiresIn: "10m" });
 * await fetch("http://localhost:3000/v1/products", { headers: { authorization: `Bearer ${token}` } });
 * await issuer.close();
 * ```
 */
export async function createTestIssuer(options?: TestIssuerOptions): Promise<TestIssuer> {
	const resolved = resolveOptions(options);
	const { algorithms, audience, seed } = resolved;
	const [keys, dpopKey] = await Promise.all([
		createKeyStore(algorithms, { seed, keys: resolved.keys }),
		seed === undefined ? createDpopKey("ES256") : seededDpopKey(seed),
	]);
	const introspectionClient = introspectionClientOf(resolved);
	const registry = createTokenRegistry();
	const server = await listen(resolved.host, resolved.port);
	const urls = issuerUrls(resolved, server.port);
	const context: MintContext = { issuer: urls.issuer, audience, algorithms, keys };
	const routes = createIssuerRoutes({
		paths: urls.paths,
		metadata: issuerMetadata(urls, algorithms),
		jwks: () => keys.jwks(),
		mint: (claims, expiresIn) => mintToken(context, claims, { expiresIn }),
		tokenEndpoint: urls.tokenEndpoint,
		introspectionClient,
		introspection: { keys, registry },
	});
	server.serve(routes.handle);

	return {
		issuer: urls.issuer,
		jwksUri: urls.jwksUri,
		audience,
		secret: keys.secret,
		tokenEndpoint: urls.tokenEndpoint,
		introspectionEndpoint: urls.introspectionEndpoint,
		introspectionClient,
		dpopKey,
		get jwks() {
			return keys.jwks();
		},
		get requests() {
			return routes.requests;
		},
		sign: (claims, signOptions) => mintToken(context, claims, signOptions),
		issueOpaqueToken: (claims, opaqueOptions) =>
			mintOpaqueToken({ issuer: urls.issuer, audience, registry }, claims, opaqueOptions),
		revoke: (token) => {
			if (typeof token !== "string" || token === "") throw new TypeError("token must be a non-empty string.");
			registry.revoke(token);
		},
		setIntrospection: (body, introspectionOptions) => routes.setIntrospection(body, introspectionOptions),
		dpopProof: ({ key, ...proofOptions }) => createDpopProof(key ?? dpopKey, proofOptions),
		apiKey: (apiKeyOptions) => createTestApiKey(apiKeyOptions),
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
