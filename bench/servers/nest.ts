import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { BearerGuardModule, RequirePermissions } from "@bearerguard/nestjs";
import { type CanActivate, Controller, Get, Injectable, Module } from "@nestjs/common";
import { APP_GUARD, NestFactory } from "@nestjs/core";
import { PRODUCTS, REQUIRED, ROUTE, type RunningServer } from "./shared.js";
import type { Variant } from "./variants.js";

type NestVariant = Variant<"nest">;

@Controller()
class PlainController {
	@Get(ROUTE)
	list() {
		return PRODUCTS;
	}
}

@Controller()
class GuardedController {
	@Get(ROUTE)
	@RequirePermissions(REQUIRED)
	list() {
		return PRODUCTS;
	}
}

/** A global guard that lets every request through: the cost of Nest's guard machinery alone. */
@Injectable()
class NoopGuard implements CanActivate {
	canActivate(): boolean {
		return true;
	}
}

/** The app per variant: the same route, alone, behind the module's global guard, or behind a no-op one. */
function appModule(variant: NestVariant) {
	switch (variant) {
		case "none": {
			@Module({ controllers: [PlainController] })
			class NoAuthModule {}
			return NoAuthModule;
		}
		case "bearerguard": {
			// Issuer and audience come from BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.
			@Module({
				imports: [BearerGuardModule.forRoot({ globalGuard: true })],
				controllers: [GuardedController],
			})
			class AuthModule {}
			return AuthModule;
		}
		case "no-op guard": {
			@Module({ providers: [{ provide: APP_GUARD, useClass: NoopGuard }], controllers: [PlainController] })
			class NoopModule {}
			return NoopModule;
		}
	}
}

/** NestJS on its Express platform (the default), without its startup logs (stdout carries the protocol). */
export async function startNest(variant: NestVariant): Promise<RunningServer> {
	const app = await NestFactory.create(appModule(variant), { logger: false });
	await app.listen(0, "127.0.0.1");
	return {
		port: (app.getHttpServer().address() as AddressInfo).port,
		close: () => app.close(),
	};
}
