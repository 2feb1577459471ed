import { Socket } from "node:net";
import { type AuthResult, GuardSetupError } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import {
	type ArgumentsHost,
	type CanActivate,
	Controller,
	Delete,
	type ExecutionContext,
	Get,
	type HttpServer,
	type INestApplication,
	Post,
	Req,
	UseGuards,
} from "@nestjs/common";
import { BaseExceptionFilter } from "@nestjs/core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	AnyPermission,
	Auth,
	type AuthenticatedRequest,
	BearerGuard,
	BearerGuardModule,
	type NestAuthOptions,
	OptionalAuth,
	Public,
	RequirePermissions,
} from "../src/index.js";
import { nestReader } from "../src/lib/reader.js";
import { PLATFORMS, type Platform, type RunningNest, startNest } from "./support.js";

let issuer: TestIssuer;
let options: NestAuthOptions;
/** Calls of the module guard's `validate`: one per verification, cache hit or not. */
let verifications = 0;

beforeAll(async () => {
	issuer = await createTestIssuer();
	options = {
		issuer: issuer.issuer,
		audience: issuer.audience,
		validate: () => {
			verifications++;
			return true;
		},
	};
});
afterAll(() => issuer.close());

const FORBIDDEN = "Insufficient permissions for the requested operation";
const scopeChallenge = (scope: string, realm = "api") =>
	`Bearer realm="${realm}", error="insufficient_scope", error_description="${FORBIDDEN}", scope="${scope}"`;
const MISSING = '{"error":"invalid_token","message":"Missing bearer token"}';
const bearer = async (permissions: string[] = []) => `Bearer ${await issuer.sign({ permissions })}`;
const subject = (auth: AuthResult | undefined) => ({ subject: auth?.subject ?? null });

/** Guards with only guard options: they build on the module's global guard. */
@Controller("reuse")
class ReuseController {
	@Post()
	@UseGuards(new BearerGuard({ permissions: ["write"] }))
	write(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}

	@Post("own")
	@UseGuards(new BearerGuard({ permissions: ["write"], onError: (error) => ({ own: error.reason }) }))
	own(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}

	@Get("optional")
	@UseGuards(new BearerGuard({ optional: true }))
	optional(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}

	@Delete()
	@RequirePermissions("delete")
	remove(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}
}

/** A guard of another library that sets `request.auth` itself. */
const forging: CanActivate = {
	canActivate(context: ExecutionContext) {
		const forged = { subject: "forged", issuer: "https://evil.example", permissions: new Set(["write"]) };
		(context.switchToHttp().getRequest<AuthenticatedRequest>() as { auth?: unknown }).auth = forged;
		return true;
	},
};

/** No module and no global guard: what is left is a programming error. */
@Controller("alone")
class AloneController {
	@Post()
	@UseGuards(new BearerGuard({ permissions: ["write"], errorHandling: "framework" }))
	write() {
		return { reached: true };
	}

	@Delete()
	@RequirePermissions("delete")
	remove() {
		return { reached: true };
	}

	@Get("both")
	@AnyPermission("admin", "auditor")
	@RequirePermissions("read")
	both() {
		return { reached: true };
	}

	@Post("forged")
	@UseGuards(forging, new BearerGuard({ permissions: ["write"] }))
	forged() {
		return { reached: true };
	}

	@Delete("forged")
	@UseGuards(forging)
	@RequirePermissions("write")
	forgedPermissions() {
		return { reached: true };
	}
}

/** A controller's permissions, checked by the guard its methods bind (it runs after the controller's). */
@Controller("late")
@RequirePermissions("read")
class LateGuardController {
	@Get()
	@UseGuards(BearerGuard)
	read(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}

	@Get("open")
	@Public()
	open() {
		return { open: true };
	}
}

/** Records what reaches Nest's exception layer, then lets Nest's own filter answer. */
class Recorder extends BaseExceptionFilter {
	readonly errors: unknown[] = [];

	constructor(adapter: HttpServer) {
		super(adapter);
	}

	override catch(exception: unknown, host: ArgumentsHost): void {
		this.errors.push(exception);
		super.catch(exception, host);
	}
}

async function startRecording(platform: Platform, metadata: Parameters<typeof startNest>[1]) {
	let recorder: Recorder | undefined;
	const nest = await startNest(platform, metadata, (app: INestApplication) => {
		recorder = new Recorder(app.getHttpAdapter());
		app.useGlobalFilters(recorder);
	});
	return { nest, errors: recorder!.errors };
}

const GUARD_IT =
	"guard the app with BearerGuardModule.forRoot({ issuer, audience, globalGuard: true }), or the controller or the route with @UseGuards(BearerGuard)";

describe.each(PLATFORMS)("guards that build on the guard before them, on Nest's %s platform", (platform) => {
	describe("behind the module's global guard", () => {
		let nest: RunningNest;
		beforeAll(async () => {
			nest = await startNest(platform, {
				imports: [BearerGuardModule.forRoot({ ...options, globalGuard: true })],
				controllers: [ReuseController],
			});
		});
		afterAll(() => nest.close());

		it("new BearerGuard({ permissions }) reuses its auth: no second verification", async () => {
			let before = verifications;
			const ok = await request(nest.url)
				.post("/reuse")
				.set("Authorization", await bearer(["write"]));
			expect(ok.status).toBe(201);
			expect(ok.body).toEqual({ subject: "user_123" });
			expect(verifications - before).toBe(1);
			before = verifications;
			const forbidden = await request(nest.url)
				.post("/reuse")
				.set("Authorization", await bearer(["read"]));
			expect(forbidden.status).toBe(403);
			expect(forbidden.headers["www-authenticate"]).toBe(scopeChallenge("write"));
			expect(forbidden.text).toBe(`{"error":"insufficient_scope","message":"${FORBIDDEN}"}`);
			expect(verifications - before).toBe(1);
		});

		it("no credentials: the global guard's bare 401, before the route's guard", async () => {
			const before = verifications;
			const res = await request(nest.url).post("/reuse");
			expect(res.status).toBe(401);
			expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
			expect(res.text).toBe(MISSING);
			expect(verifications).toBe(before);
		});

		it("@RequirePermissions with only the global guard: checked by it, once", async () => {
			const before = verifications;
			const forbidden = await request(nest.url)
				.delete("/reuse")
				.set("Authorization", await bearer(["read"]));
			expect(forbidden.status).toBe(403);
			expect(forbidden.headers["www-authenticate"]).toBe(scopeChallenge("delete"));
			const ok = await request(nest.url)
				.delete("/reuse")
				.set("Authorization", await bearer(["delete"]));
			expect(ok.status).toBe(200);
			expect(verifications - before).toBe(2);
		});
	});

	it("answers as the guard before it was configured (realm, onError), unless it has onError of its own", async () => {
		const nest = await startNest(platform, {
			imports: [
				BearerGuardModule.forRoot({
					...options,
					realm: "products",
					onError: (error) => ({ up: error.reason }),
					globalGuard: true,
				}),
			],
			controllers: [ReuseController],
		});
		try {
			const token = await bearer(["read"]);
			const inherits = await request(nest.url).post("/reuse").set("Authorization", token);
			expect(inherits.status).toBe(403);
			expect(inherits.headers["www-authenticate"]).toBe(scopeChallenge("write", "products"));
			expect(inherits.text).toBe('{"up":"insufficient_scope"}');
			const own = await request(nest.url).post("/reuse/own").set("Authorization", token);
			expect(own.status).toBe(403);
			expect(own.text).toBe('{"own":"insufficient_scope"}');
		} finally {
			await nest.close();
		}
	});

	it("after an optional global guard without credentials: permissions are the bare 401, optional goes on", async () => {
		const nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot({ ...options, optional: true, globalGuard: true })],
			controllers: [ReuseController],
		});
		try {
			const before = verifications;
			const write = await request(nest.url).post("/reuse");
			expect(write.status).toBe(401);
			expect(write.headers["www-authenticate"]).toBe('Bearer realm="api"');
			expect(write.text).toBe(MISSING);
			const optional = await request(nest.url).get("/reuse/optional");
			expect(optional.status).toBe(200);
			expect(optional.body).toEqual({ subject: null });
			expect(verifications).toBe(before);
		} finally {
			await nest.close();
		}
	});

	describe("with no BearerGuard before them: a programming error for Nest's exception layer", () => {
		let nest: RunningNest;
		let errors: unknown[];
		beforeAll(async () => {
			({ nest, errors } = await startRecording(platform, { controllers: [AloneController] }));
		});
		afterAll(() => nest.close());

		/** Sends the request; checks Nest's generic 500 and the one GuardSetupError its filter got. */
		async function programmingError(send: () => request.Test, message: string) {
			const before = errors.length;
			const res = await send();
			expect(res.status).toBe(500);
			expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
			expect(res.headers["www-authenticate"]).toBeUndefined();
			expect(res.text).toBe('{"statusCode":500,"message":"Internal server error"}');
			const seen = errors.slice(before);
			expect(seen).toHaveLength(1);
			expect(seen[0]).toBeInstanceOf(GuardSetupError);
			expect((seen[0] as Error).message).toBe(message);
		}

		it("new BearerGuard({ permissions }) with nothing configured, whatever errorHandling says", async () => {
			const message = `bearerguard: a BearerGuard with only guard options guards AloneController.write, nothing configures a verifier (no issuer or audience in its options, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no BearerGuard before it verified this request: ${GUARD_IT} before it, or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.`;
			const token = await bearer(["write"]);
			await programmingError(() => request(nest.url).post("/alone").set("Authorization", token), message);
			await programmingError(() => request(nest.url).post("/alone"), message);
		});

		it("@RequirePermissions (and @AnyPermission) on a route no BearerGuard guards, never an open route", async () => {
			const token = await bearer(["delete", "read", "admin"]);
			await programmingError(
				() => request(nest.url).delete("/alone").set("Authorization", token),
				`bearerguard: @RequirePermissions('delete') on AloneController.remove, but no BearerGuard checked this request: ${GUARD_IT}.`,
			);
			await programmingError(
				() => request(nest.url).get("/alone/both"),
				`bearerguard: @RequirePermissions('read') and @AnyPermission('admin', 'auditor') on AloneController.both, but no BearerGuard checked this request: ${GUARD_IT}.`,
			);
		});

		it("an auth that another guard set is never taken for a verified one", async () => {
			await programmingError(
				() => request(nest.url).post("/alone/forged"),
				`bearerguard: a BearerGuard with only guard options guards AloneController.forged, nothing configures a verifier (no issuer or audience in its options, no BEARERGUARD_ISSUER or BEARERGUARD_AUDIENCE in the environment), and no BearerGuard before it verified this request: ${GUARD_IT} before it, or give it { issuer, audience }, or set BEARERGUARD_ISSUER and BEARERGUARD_AUDIENCE.`,
			);
			await programmingError(
				() => request(nest.url).delete("/alone/forged"),
				`bearerguard: @RequirePermissions('write') on AloneController.forgedPermissions, but no BearerGuard checked this request: ${GUARD_IT}.`,
			);
		});
	});

	it("a controller's @RequirePermissions runs before its method's @UseGuards(BearerGuard), and still works", async () => {
		const { nest, errors } = await startRecording(platform, {
			imports: [BearerGuardModule.forRoot(options)],
			controllers: [LateGuardController],
		});
		try {
			const ok = await request(nest.url)
				.get("/late")
				.set("Authorization", await bearer(["read"]));
			expect(ok.status).toBe(200);
			expect(ok.body).toEqual({ subject: "user_123" });
			const forbidden = await request(nest.url)
				.get("/late")
				.set("Authorization", await bearer(["write"]));
			expect(forbidden.status).toBe(403);
			expect(forbidden.headers["www-authenticate"]).toBe(scopeChallenge("read"));
			const open = await request(nest.url).get("/late/open");
			expect(open.status).toBe(200);
			expect(open.body).toEqual({ open: true });
			expect(errors).toEqual([]);
		} finally {
			await nest.close();
		}
	});
});

@Controller("where")
class WhereController {
	@Post()
	where(@Req() req: Parameters<typeof nestReader.headers>[0]) {
		return {
			method: nestReader.method?.(req),
			url: nestReader.url?.(req),
			socket: nestReader.socket?.(req) instanceof Socket,
		};
	}
}

describe.each(PLATFORMS)("the request reader on Nest's %s platform", (platform) => {
	it("reads the method, the absolute URL under the platform's trust-proxy setting, and the socket", async () => {
		const trusting = await startNest(platform, { controllers: [WhereController] }, undefined, true);
		const plain = await startNest(platform, { controllers: [WhereController] });
		try {
			const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "api.example.test" };
			const behind = await request(trusting.url).post("/where?page=2").set(forwarded);
			expect(behind.body).toEqual({
				method: "POST",
				url: "https://api.example.test/where?page=2",
				socket: true,
			});
			const direct = await request(plain.url).post("/where?page=2").set(forwarded);
			expect(direct.body).toEqual({ method: "POST", url: `${plain.url}/where?page=2`, socket: true });
		} finally {
			await Promise.all([trusting.close(), plain.close()]);
		}
	});
});

/** @OptionalAuth keeps working with a guard that builds on another (a decorator, not a guard). */
@Controller("optional")
class OptionalController {
	@Get()
	@OptionalAuth()
	@UseGuards(new BearerGuard())
	optional(@Auth() auth: AuthResult | undefined) {
		return subject(auth);
	}
}

describe.each(PLATFORMS)("new BearerGuard() with decorators, after the global guard, on %s", (platform) => {
	it("takes the route's @OptionalAuth: no credentials go on, a token's auth is reused", async () => {
		const nest = await startNest(platform, {
			imports: [BearerGuardModule.forRoot({ ...options, globalGuard: true })],
			controllers: [OptionalController],
		});
		try {
			const none = await request(nest.url).get("/optional");
			expect(none.status).toBe(200);
			expect(none.body).toEqual({ subject: null });
			const before = verifications;
			const token = await request(nest.url)
				.get("/optional")
				.set("Authorization", await bearer());
			expect(token.body).toEqual({ subject: "user_123" });
			expect(verifications - before).toBe(1);
		} finally {
			await nest.close();
		}
	});
});
