import "reflect-metadata";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthOptions, AuthResult } from "@bearerguard/core";
import * as bgExpress from "@bearerguard/express";
import bearerGuard from "@bearerguard/fastify";
import * as bgHono from "@bearerguard/hono";
import * as bgKoa from "@bearerguard/koa";
import { Auth, BearerGuardModule } from "@bearerguard/nestjs";
import { createAdaptorServer } from "@hono/node-server";
import { Controller, HttpCode, Module, Post } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import express from "express";
import express4 from "express4";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { ADAPTERS, type AdapterName, closer, describeAuth, listen, type TestApp } from "./apps.js";

/** The one protected route of these apps. */
export const MCP_PATH = "/mcp";

const JSON_UTF8 = "application/json; charset=utf-8";

async function startExpress(name: "express5" | "express4", options: AuthOptions): Promise<TestApp> {
	const app = name === "express5" ? express() : (express4() as unknown as express.Express);
	app.use(bgExpress.requireAuth(options));
	app.post(MCP_PATH, (req, res) => {
		res.json(describeAuth(req.auth));
	});
	const server = http.createServer(app);
	return { name, url: await listen(server), errors: [], close: closer(server) };
}

async function startKoa(options: AuthOptions): Promise<TestApp> {
	const app = new Koa();
	app.use(bgKoa.requireAuth(options));
	app.use((ctx) => {
		if (ctx.method === "POST" && ctx.path === MCP_PATH) ctx.body = describeAuth(ctx.state.auth);
	});
	const server = http.createServer(app.callback());
	return { name: "koa", url: await listen(server), errors: [], close: closer(server) };
}

async function startFastify(options: AuthOptions): Promise<TestApp> {
	const app = Fastify();
	await app.register(bearerGuard, options);
	app.post(MCP_PATH, { onRequest: app.requireAuth() }, async (request) => describeAuth(request.auth));
	return {
		name: "fastify",
		url: await app.listen({ port: 0, host: "127.0.0.1" }),
		errors: [],
		close: () => app.close(),
	};
}

async function startNest(name: "nest-express" | "nest-fastify", options: AuthOptions): Promise<TestApp> {
	@Controller()
	class McpController {
		@Post(MCP_PATH)
		@HttpCode(200)
		call(@Auth() auth: AuthResult | undefined) {
			return describeAuth(auth);
		}
	}
	@Module({
		imports: [BearerGuardModule.forRoot({ ...options, globalGuard: true })],
		controllers: [McpController],
	})
	class AppModule {}
	const settings = { logger: false, abortOnError: false } as const;
	const app =
		name === "nest-fastify"
			? await NestFactory.create(AppModule, new FastifyAdapter(), settings)
			: await NestFactory.create(AppModule, settings);
	await app.listen(0, "127.0.0.1");
	const { port } = app.getHttpServer().address() as AddressInfo;
	return { name, url: `http://127.0.0.1:${port}`, errors: [], close: () => app.close() };
}

async function startHono(options: AuthOptions): Promise<TestApp> {
	const app = new Hono<bgHono.AuthEnv>();
	app.use(bgHono.requireAuth(options));
	app.post(MCP_PATH, (c) =>
		c.body(JSON.stringify(describeAuth(c.get("auth"))), 200, { "content-type": JSON_UTF8 }),
	);
	const server = createAdaptorServer({ fetch: app.fetch }) as Server;
	return { name: "hono", url: await listen(server), errors: [], close: closer(server) };
}

const STARTERS: Record<AdapterName, (options: AuthOptions) => Promise<TestApp>> = {
	express5: (options) => startExpress("express5", options),
	express4: (options) => startExpress("express4", options),
	koa: startKoa,
	fastify: startFastify,
	"nest-express": (options) => startNest("nest-express", options),
	"nest-fastify": (options) => startNest("nest-fastify", options),
	hono: startHono,
};

/**
 * One app per adapter, each guarding every path the way that framework mounts a guard globally
 * (Express and Koa `app.use`, the Fastify plugin, Nest's module with a global guard, Hono `app.use`),
 * with `options` holding `resource`: each serves the protected resource metadata itself.
 *
 * @example
 * ```ts
 * const apps = await startResourceApps({ issuer, audience, resource: { metadata } })
 * ```
 */
export function startResourceApps(options: AuthOptions): Promise<TestApp[]> {
	return Promise.all(ADAPTERS.map((name) => STARTERS[name](options)));
}
