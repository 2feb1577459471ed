/** Our middleware with one `bearerguard:authenticate` subscriber (bench/server.ts subscribes it). */
export const SUBSCRIBED = "bearerguard + 1 subscriber" as const;

/**
 * The servers http.ts can start: per framework, no auth (`none`), ours, ours with one subscriber to the
 * diagnostics events (what observing every request costs), and the peers.
 */
export const VARIANTS = {
	express: ["none", "bearerguard", SUBSCRIBED, "express-oauth2-jwt-bearer", "express-jwt"],
	koa: ["none", "bearerguard", SUBSCRIBED, "koa-jwt"],
	fastify: ["none", "bearerguard", SUBSCRIBED, "@fastify/jwt (cache on)", "@fastify/jwt (cache off)"],
	// A guard (middleware) that lets every request through: what the framework's own machinery costs.
	nest: ["none", "bearerguard", "no-op guard"],
	hono: ["none", "bearerguard", "no-op middleware"],
} as const;

export type Framework = keyof typeof VARIANTS;
export type Variant<F extends Framework = Framework> = (typeof VARIANTS)[F][number];

/** The variants a server file builds (the subscribed one is "bearerguard" plus a subscriber). */
export type ServerVariant<F extends Framework = Framework> = Exclude<Variant<F>, typeof SUBSCRIBED>;

export const FRAMEWORKS = Object.keys(VARIANTS) as Framework[];

export function isVariant<F extends Framework>(framework: F, variant: string): variant is Variant<F> {
	return (VARIANTS[framework] as readonly string[]).includes(variant);
}

/** Whether `variant` is one a server file builds for `framework` (any but the subscribed one). */
export function isServerVariant<F extends Framework>(
	framework: F,
	variant: string,
): variant is ServerVariant<F> {
	return variant !== SUBSCRIBED && isVariant(framework, variant);
}

/** The same route and guard with the adapters of an earlier build (`BENCH_BASELINE`, see lib/baseline.ts). */
export const BEFORE = "bearerguard (before)" as const;

/** The frameworks that have a "bearerguard (before)" server (servers/before.ts). */
const WITH_BEFORE: readonly Framework[] = ["express", "koa", "fastify"];

/**
 * The variants measured for a framework: its {@link VARIANTS}, and {@link BEFORE} when a baseline build is
 * set up (`BENCH_BASELINE_DIR`).
 *
 * @example
 * ```ts
 * variantsOf('koa') // ['none', 'bearerguard', ..., 'bearerguard (before)'] with BENCH_BASELINE_DIR
 * ```
 */
export function variantsOf(framework: Framework): readonly string[] {
	const own: readonly string[] = VARIANTS[framework];
	return process.env.BENCH_BASELINE_DIR && WITH_BEFORE.includes(framework) ? [...own, BEFORE] : own;
}
