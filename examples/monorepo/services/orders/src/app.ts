import "reflect-metadata";
import { type AuthSettings, authOptions, PERMISSIONS } from "@acme/auth";
import { Auth, type AuthResult, BearerGuardModule, Public, RequirePermissions } from "@bearerguard/nestjs";
import {
	Body,
	Controller,
	type DynamicModule,
	Get,
	type INestApplication,
	Module,
	Post,
} from "@nestjs/common";
import { NestFactory } from "@nestjs/core";

interface Order {
	readonly id: string;
	readonly organization: string;
	readonly product: string;
	readonly createdBy: string | undefined;
}

const orders: Order[] = [{ id: "o_1", organization: "org_acme", product: "p_1", createdBy: "user_1" }];

@Controller("v1")
class OrdersController {
	@Public()
	@Get("health")
	health() {
		return { status: "ok", service: "orders" };
	}

	@Get("orders")
	@RequirePermissions(PERMISSIONS.readOrders)
	list(@Auth() auth: AuthResult) {
		return { orders: orders.filter((order) => order.organization === auth.organization) };
	}

	@Post("orders")
	@RequirePermissions(PERMISSIONS.writeOrders)
	create(@Auth() auth: AuthResult, @Body() body: { product?: unknown }) {
		const order = {
			id: `o_${orders.length + 1}`,
			organization: auth.organization as string,
			product: String(body?.product ?? ""),
			createdBy: auth.subject,
		};
		orders.push(order);
		return order;
	}
}

/** The service's module: every route behind the shared configuration's guard, unless `@Public()`. */
@Module({})
class OrdersModule {
	static forRoot(settings?: AuthSettings): DynamicModule {
		return {
			module: OrdersModule,
			imports: [BearerGuardModule.forRoot({ ...authOptions(settings), globalGuard: true })],
			controllers: [OrdersController],
		};
	}
}

/**
 * The orders service, configured by `@acme/auth` (from `AUTH_ISSUER` and `AUTH_AUDIENCE` unless
 * `settings` are given). Call `listen` on it.
 */
export function createOrdersApp(settings?: AuthSettings): Promise<INestApplication> {
	return NestFactory.create(OrdersModule.forRoot(settings), { logger: ["error", "warn"] });
}
