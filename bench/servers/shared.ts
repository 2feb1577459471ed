/** What every benchmark server needs, handed down by the parent process in the environment. */
export interface ServerConfig {
	readonly issuer: string;
	readonly audience: string;
	readonly jwksUri: string;
	/** The issuer's RS256 public key as SPKI PEM (for @fastify/jwt, which takes a static key). */
	readonly publicKeyPem: string;
}

/** A running benchmark server. */
export interface RunningServer {
	readonly port: number;
	close(): Promise<void>;
}

/** The one route of every server. */
export const ROUTE = "/v1/products";

/** Its answer: a small JSON list, the same for every framework and variant. */
export const PRODUCTS = {
	data: [
		{ id: "prod_1", name: "Espresso beans", price: 12.5, currency: "EUR" },
		{ id: "prod_2", name: "Filter papers", price: 3.2, currency: "EUR" },
	],
};

/** The permission the protected route requires. */
export const REQUIRED = "read";

/**
 * Whether verified claims grant `permission`, read from `scope` as a peer's user would write it
 * (express-jwt, koa-jwt and @fastify/jwt verify the token but check no permission).
 */
export function hasScope(claims: unknown, permission: string): boolean {
	const scope = (claims as { scope?: unknown } | undefined)?.scope;
	return typeof scope === "string" && scope.split(" ").includes(permission);
}

export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): ServerConfig {
	const read = (name: string): string => {
		const value = env[name];
		if (!value) throw new Error(`bench server: ${name} is not set`);
		return value;
	};
	return {
		issuer: read("BENCH_ISSUER"),
		audience: read("BENCH_AUDIENCE"),
		jwksUri: read("BENCH_JWKS_URI"),
		publicKeyPem: read("BENCH_PUBLIC_KEY_PEM"),
	};
}
