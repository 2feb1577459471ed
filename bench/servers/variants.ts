/** The servers http.ts can start: per framework, no auth (`none`), ours, and the peers. */
export const VARIANTS = {
	express: ["none", "bearerguard", "express-oauth2-jwt-bearer", "express-jwt"],
	koa: ["none", "bearerguard", "koa-jwt"],
	fastify: ["none", "bearerguard", "@fastify/jwt (cache on)", "@fastify/jwt (cache off)"],
	// A guard (middleware) that lets every request through: what the framework's own machinery costs.
	nest: ["none", "bearerguard", "no-op guard"],
	hono: ["none", "bearerguard", "no-op middleware"],
} as const;

export type Framework = keyof typeof VARIANTS;
export type Variant<F extends Framework = Framework> = (typeof VARIANTS)[F][number];

export const FRAMEWORKS = Object.keys(VARIANTS) as Framework[];

export function isVariant<F extends Framework>(framework: F, variant: string): variant is Variant<F> {
	return (VARIANTS[framework] as readonly string[]).includes(variant);
}
