import { type AuthResult, BearerError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import {
	type ArgumentsHost,
	Catch,
	Controller,
	type ExceptionFilter,
	type ExecutionContext,
	Get,
	UseGuards,
} from "@nestjs/common";
import { ConfigModule, ConfigService } from "@nestjs/config";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	Auth,
	BearerExceptionFilter,
	BearerGuard,
	BearerGuardModule,
	BearerHttpException,
	type NestAuthOptions,
	Public,
	RequirePermissions,
} from "../src/index.js";
import { PLATFORMS, startNest } from "./support.js";

let issuer: TestIssuer;
let options: NestAuthOptions;
beforeAll(async () => {
	issuer = await createTestIssuer();
	options = { issuer: issuer.issuer, audience: issuer.audience };
});
afterAll(() => issuer.close());

const EXPIRED_CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="Token has expired"';
const expired = async () => `Bearer ${await issuer.sign({}, { expiresIn: -60 })}`;

/** No guard of its own: only a global guard protects it. */
@Controller()
class PlainController {
	@Get("me")
	me(@Auth() auth: AuthResult | undefined) {
		return { subject: auth?.subject ?? null };
	}

	@Public()
	@Get("health")
	health() {
		return { status: "ok" };
	}
}

@Controller()
@UseGuards(BearerGuard)
class GuardedController {
	@Get("me")
	me(@Auth() auth: AuthResult) {
		return { subject: auth.subject };
	}
}

describe.each(PLATFORMS)("BearerGuardModule on Nest's %s platform", (platform) => {
	it("forRoot({ globalGuard: true }) guards every route; @Public() opens one", async () => {
		const nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot({ ...options, globalGuard: true })],
			controllers: [PlainController],
		});
		try {
			expect((await request(nest.url).get("/me")).status).toBe(401);
			const ok = await request(nest.url)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign()}`);
			expect(ok.status).toBe(200);
			expect(ok.body).toEqual({ subject: "user_123" });
			expect((await request(nest.url).get("/health")).status).toBe(200);
		} finally {
			await nest.close();
		}
	});

	it("forRoot() without globalGuard guards only what @UseGuards(BearerGuard) names", async () => {
		const nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot(options)],
			controllers: [PlainController],
		});
		try {
			const res = await request(nest.url).get("/me");
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ subject: null });
		} finally {
			await nest.close();
		}
	});

	it("forRootAsync takes its options from ConfigService", async () => {
		const nest = await startNest(platform, {
			imports: [
				BearerGuardModule.forRootAsync({
					imports: [
						ConfigModule.forRoot({
							ignoreEnvFile: true,
							load: [() => ({ AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience })],
						}),
					],
					inject: [ConfigService],
					useFactory: (config: ConfigService) => ({
						issuer: config.getOrThrow<string>("AUTH_ISSUER"),
						audience: config.getOrThrow<string>("AUTH_AUDIENCE"),
						permissions: ["read"],
					}),
				}),
			],
			controllers: [GuardedController],
		});
		try {
			const forbidden = await request(nest.url)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign()}`);
			expect(forbidden.status).toBe(403);
			const ok = await request(nest.url)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign({ permissions: ["read"] })}`);
			expect(ok.status).toBe(200);
			expect(ok.body).toEqual({ subject: "user_123" });
		} finally {
			await nest.close();
		}
	});

	it("a guard made with options of its own (new BearerGuard) needs no module", async () => {
		@Controller()
		@UseGuards(new BearerGuard({ ...options, realm: "own" }))
		class OwnController {
			@Get("me")
			@RequirePermissions("admin")
			me(@Auth("subject") subject: string) {
				return { subject };
			}
		}
		const nest = await startNest(platform, { controllers: [OwnController] });
		try {
			const res = await request(nest.url)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign()}`);
			expect(res.status).toBe(403);
			expect(res.headers["www-authenticate"]).toBe(
				'Bearer realm="own", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="admin"',
			);
			const ok = await request(nest.url)
				.get("/me")
				.set("Authorization", `Bearer ${await issuer.sign({ permissions: ["admin"] })}`);
			expect(ok.body).toEqual({ subject: "user_123" });
		} finally {
			await nest.close();
		}
	});

	it("onError replaces the body and gets the platform's request", async () => {
		const seen: unknown[] = [];
		const nest = await startNest(platform, {
			imports: [
				BearerGuardModule.forRoot({
					...options,
					onError: (error, response, req) => {
						seen.push(response.status, typeof req.headers);
						return { code: error.code, reason: error.reason };
					},
				}),
			],
			controllers: [GuardedController],
		});
		try {
			const res = await request(nest.url)
				.get("/me")
				.set("Authorization", await expired());
			expect(res.status).toBe(401);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
			expect(res.text).toBe('{"code":"invalid_token","reason":"token_expired"}');
			expect(seen).toEqual([401, "object"]);
		} finally {
			await nest.close();
		}
	});

	it("a throwing onError goes to Nest's exception layer: a 500 that says nothing", async () => {
		const nest = await startNest(platform, {
			imports: [
				BearerGuardModule.forRoot({
					...options,
					onError: () => {
						throw new Error("hook failed");
					},
				}),
			],
			controllers: [GuardedController],
		});
		try {
			const res = await request(nest.url).get("/me");
			expect(res.status).toBe(500);
			expect(JSON.parse(res.text)).toEqual({ statusCode: 500, message: "Internal server error" });
		} finally {
			await nest.close();
		}
	});

	it("errorHandling 'framework': Nest's default filter answers the status and body (no challenge)", async () => {
		const nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot({ ...options, errorHandling: "framework" })],
			controllers: [GuardedController],
		});
		try {
			const res = await request(nest.url)
				.get("/me")
				.set("Authorization", await expired());
			expect(res.status).toBe(401);
			expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
			expect(res.headers["www-authenticate"]).toBeUndefined();
			expect(JSON.parse(res.text)).toEqual({ error: "invalid_token", message: "Token has expired" });
		} finally {
			await nest.close();
		}
	});

	it("errorHandling 'framework' + BearerExceptionFilter: the contract's exact bytes", async () => {
		const nest = await startNest(
			platform,
			{
				imports: [BearerGuardModule.forRoot({ ...options, errorHandling: "framework" })],
				controllers: [GuardedController],
			},
			(app) => app.useGlobalFilters(new BearerExceptionFilter()),
		);
		try {
			const res = await request(nest.url)
				.get("/me")
				.set("Authorization", await expired());
			expect(res.status).toBe(401);
			expect(res.headers["content-type"]).toBe("application/json");
			expect(res.headers["cache-control"]).toBe("no-store");
			expect(res.headers["www-authenticate"]).toBe(EXPIRED_CHALLENGE);
			expect(res.text).toBe('{"error":"invalid_token","message":"Token has expired"}');
		} finally {
			await nest.close();
		}
	});

	it("errorHandling 'framework': a filter of yours gets a BearerHttpException with cause, status and headers", async () => {
		const caught: BearerHttpException[] = [];
		@Catch(BearerHttpException)
		class Recorder implements ExceptionFilter<BearerHttpException> {
			catch(exception: BearerHttpException, host: ArgumentsHost) {
				caught.push(exception);
				new BearerExceptionFilter().catch(exception, host);
			}
		}
		const nest = await startNest(
			platform,
			{
				imports: [BearerGuardModule.forRoot({ ...options, errorHandling: "framework" })],
				controllers: [GuardedController],
			},
			(app) => app.useGlobalFilters(new Recorder()),
		);
		try {
			const res = await request(nest.url).get("/me");
			expect(res.status).toBe(401);
			expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
			const [exception] = caught;
			expect(exception?.getStatus()).toBe(401);
			expect(exception?.getResponse()).toEqual({ error: "invalid_token", message: "Missing bearer token" });
			expect(exception?.cause).toBeInstanceOf(BearerError);
			expect(exception?.cause.reason).toBe("token_missing");
			expect(exception?.headers).toEqual({
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate": 'Bearer realm="api"',
			});
		} finally {
			await nest.close();
		}
	});
});

describe("configuration", () => {
	it("a bad option is a TypeError when the app starts", async () => {
		await expect(
			startNest("express", {
				imports: [BearerGuardModule.forRoot({ audience: "https://api.example.test", issuer: "not a url" })],
				controllers: [GuardedController],
			}),
		).rejects.toThrow(TypeError);
		expect(() => new BearerGuard({ ...options, errorHandling: "throw" as "respond" })).toThrow(TypeError);
	});

	it("forRootAsync needs a factory; globalGuard must be a boolean", () => {
		expect(() => BearerGuardModule.forRootAsync({} as never)).toThrow(
			new TypeError("bearerguard: forRootAsync() needs useFactory, a function that returns the options."),
		);
		expect(() => BearerGuardModule.forRoot({ ...options, globalGuard: "yes" as unknown as boolean })).toThrow(
			new TypeError("bearerguard: globalGuard must be true or false, or left out."),
		);
	});

	it("refuses contexts other than HTTP with an Error that says what to do", () => {
		const guard = new BearerGuard(options);
		class Gateway {
			handle() {}
		}
		const context = {
			getHandler: () => Gateway.prototype.handle,
			getClass: () => Gateway,
			getType: () => "ws",
			getArgByIndex: () => ({}),
		} as unknown as ExecutionContext;
		expect(() => guard.canActivate(context)).toThrow(
			new Error(
				"bearerguard: BearerGuard checks HTTP requests only, and Gateway.handle is ws: mark it @Public() or guard it otherwise.",
			),
		);
	});
});
