/** A fleet of instances (support/instance.ts), each in its own process, sharing one Redis. */
import { join } from "node:path";
import type { TestIssuer } from "@bearerguard/testing";
import { type Child, spawnTs } from "./child.js";
import type { AdminRevocation } from "./instance.js";

export type Framework = "express" | "koa" | "fastify";

export interface InstanceSettings {
	readonly framework: Framework;
	/** Where this instance reaches Redis (a proxy, to cut it off alone). */
	readonly redisUrl: string;
	readonly failOpen?: boolean;
}

export interface Instance {
	readonly name: string;
	readonly url: string;
	/** GET /v1/products with `token`. */
	get(token: string): Promise<Response>;
	revoke(revocation: AdminRevocation): Promise<void>;
	status(): Promise<{ state: string; reloads: number }>;
	stop(): Promise<void>;
}

const INSTANCE = join(import.meta.dirname, "instance.ts");

export async function startInstance(
	settings: InstanceSettings,
	issuer: TestIssuer,
	prefix: string,
	maxStalenessSeconds: number,
): Promise<Instance> {
	const child: Child = spawnTs(INSTANCE, [settings.framework], {
		ISSUER: issuer.issuer,
		AUDIENCE: issuer.audience,
		REDIS_URL: settings.redisUrl,
		PREFIX: prefix,
		MAX_STALENESS: String(maxStalenessSeconds),
		FAIL_OPEN: settings.failOpen ? "1" : "0",
	});
	const { port } = JSON.parse(await child.line()) as { port: number };
	const url = `http://127.0.0.1:${port}`;
	return {
		name: `${settings.framework}${settings.failOpen ? " (failOpen)" : ""}`,
		url,
		get: (token) => fetch(`${url}/v1/products`, { headers: { authorization: `Bearer ${token}` } }),
		async revoke(revocation) {
			const response = await fetch(`${url}/admin/revoke`, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(revocation),
			});
			if (response.status !== 204) throw new Error(`revoke through ${url} answered ${response.status}`);
		},
		async status() {
			return (await (await fetch(`${url}/admin/status`)).json()) as { state: string; reloads: number };
		},
		stop: () => child.stop(),
	};
}

/** The exact answers a fleet instance gives, as every adapter must. */
export const REVOKED = {
	status: 401,
	body: { error: "invalid_token", message: "Token has been revoked" },
	challenge: 'Bearer realm="api", error="invalid_token", error_description="Token has been revoked"',
};
export const UNAVAILABLE = {
	status: 503,
	body: { error: "temporarily_unavailable", message: "Token revocation status is temporarily unavailable" },
};

/** The percentile `p` (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
