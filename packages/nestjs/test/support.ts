import "reflect-metadata";
import type { AddressInfo } from "node:net";
import type { INestApplication, ModuleMetadata } from "@nestjs/common";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";

/** Nest's two HTTP platforms. */
export const PLATFORMS = ["express", "fastify"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A Nest app listening on loopback. */
export interface RunningNest {
	readonly url: string;
	readonly app: INestApplication;
	close(): Promise<void>;
}

/**
 * Builds a testing module from `metadata`, makes an app on `platform` (`configure` runs before it
 * starts: global filters, a prefix), and listens on a free loopback port. `trustProxy` sets the
 * platform's own setting (Express's `trust proxy`, Fastify's `trustProxy`).
 *
 * @example
 * ```ts
 * const nest = await startNest('fastify', { imports: [BearerGuardModule.forRoot(options)], controllers: [C] })
 * ```
 */
export async function startNest(
	platform: Platform,
	metadata: ModuleMetadata,
	configure?: (app: INestApplication) => void,
	trustProxy = false,
): Promise<RunningNest> {
	const moduleRef = await Test.createTestingModule(metadata).compile();
	const app =
		platform === "fastify"
			? moduleRef.createNestApplication(new FastifyAdapter({ trustProxy }), { logger: false })
			: moduleRef.createNestApplication({ logger: false });
	if (platform === "express" && trustProxy) app.getHttpAdapter().getInstance().set("trust proxy", true);
	configure?.(app);
	await app.listen(0, "127.0.0.1");
	const { port } = app.getHttpServer().address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}
