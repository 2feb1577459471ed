/**
 * The servers of the credentials benchmark (bench/credentials-http.ts): GET /v1/products on Koa or
 * Fastify with no auth, behind `requireAuth({ permissions: ['read'] })` taking a bearer token, or taking
 * an API key from a static list or from a `lookup` (cached). Issuer and audience come from
 * BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE; the API key's hash from BENCH_API_KEY_HASH.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiKeyRecord, AuthOptions } from "@bearerguard/core";
import bearerGuard from "@bearerguard/fastify";
import { requireAuth } from "@bearerguard/koa";
import Fastify from "fastify";
import Koa from "koa";
import { PRODUCTS, REQUIRED, ROUTE, type RunningServer } from "./shared.js";

/** The variants, per framework the same. */
export const CREDENTIAL_VARIANTS = [
	"none",
	"bearer token (cached)",
	"API key (static list)",
	"API key (lookup, cached)",
] as const;
export type CredentialVariant = (typeof CREDENTIAL_VARIANTS)[number];
export const CREDENTIAL_FRAMEWORKS = ["koa", "fastify"] as const;
export type CredentialFramework = (typeof CREDENTIAL_FRAMEWORKS)[number];

/** The guard's options for a variant (undefined: no guard). */
function optionsFor(variant: CredentialVariant, hash: string): AuthOptions | undefined {
	const record: ApiKeyRecord = { hash, subject: "svc_reports", permissions: ["read", "write"] };
	switch (variant) {
		case "none":
			return undefined;
		case "bearer token (cached)":
			return { permissions: [REQUIRED] };
		case "API key (static list)":
			return { permissions: [REQUIRED], apiKeys: { keys: [record] } };
		case "API key (lookup, cached)":
			// As a database would: asynchronous, once per key and cache lifetime.
			return {
				permissions: [REQUIRED],
				apiKeys: { lookup: async (asked) => (asked === hash ? record : undefined) },
			};
	}
}

export function isCredentialVariant(value: string): value is CredentialVariant {
	return (CREDENTIAL_VARIANTS as readonly string[]).includes(value);
}

/** Starts the server of one framework and variant on a free loopback port. */
export async function startCredentialServer(
	framework: CredentialFramework,
	variant: CredentialVariant,
): Promise<RunningServer> {
	const hash = process.env.BENCH_API_KEY_HASH ?? "";
	const options = optionsFor(variant, hash);
	if (framework === "fastify") {
		const app = Fastify();
		let onRequest: ReturnType<typeof app.requireAuth> | undefined;
		if (options !== undefined) {
			await app.register(bearerGuard);
			onRequest = app.requireAuth(options);
		}
		app.get(ROUTE, onRequest ? { onRequest } : {}, async () => PRODUCTS);
		await app.listen({ port: 0, host: "127.0.0.1" });
		const address = app.server.address() as AddressInfo;
		return { port: address.port, close: () => app.close() };
	}
	const app = new Koa();
	const guard = options === undefined ? undefined : requireAuth(options);
	app.use(async (ctx, next) => {
		if (ctx.method !== "GET" || ctx.path !== ROUTE) return next();
		if (guard === undefined) {
			ctx.body = PRODUCTS;
			return;
		}
		await guard(ctx, async () => {
			ctx.body = PRODUCTS;
		});
	});
	const server = createServer(app.callback()).listen(0, "127.0.0.1");
	await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
	return {
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
