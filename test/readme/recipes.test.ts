/**
 * The README's Recipes, run as written: CORS in front of a global guard on each framework (a preflight
 * without credentials passes, the guard's answers carry the CORS headers), and an issuer whose keys are
 * fetched from an internal `jwksUri` while `issuer` stays the public `iss`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CodeBlock } from "../../scripts/readme/blocks.js";
import {
	FRAMEWORKS,
	type Framework,
	README_AUDIENCE,
	README_ISSUER,
	ROOT,
	readmeBlocksUnder,
	runnableBlock,
} from "./support/quick-start.js";

const DIR = join(ROOT, "test", "readme", ".tmp", `recipes-${process.pid}`);
const ORIGIN = "https://app.example.com";
const README_JWKS_URI = "'http://auth.internal:8080/.well-known/jwks.json'";
let issuer: TestIssuer;

beforeAll(async () => {
	for (const name of Object.keys(process.env)) if (name.startsWith("BEARERGUARD_")) delete process.env[name];
	issuer = await createTestIssuer();
	mkdirSync(DIR, { recursive: true });
});

afterAll(async () => {
	await issuer?.close();
	rmSync(DIR, { recursive: true, force: true });
});

interface Running {
	readonly url: string;
	close(): Promise<void>;
}

/** Writes `source` as a module, imports it, and waits until its server listens. */
async function start(name: string, source: string): Promise<Running> {
	const file = join(DIR, `${name}.ts`);
	writeFileSync(file, source);
	const app = (await import(pathToFileURL(file).href)) as { server: Server; close(): Promise<void> };
	if (!app.server.listening) await new Promise((listening) => app.server.once("listening", listening));
	const { port } = app.server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

function corsBlock(framework: Framework): CodeBlock {
	const blocks = readmeBlocksUnder("CORS preflight with a global guard").filter((block) =>
		block.code.includes(`from '@bearerguard/${framework}'`),
	);
	expect(blocks.length).toBe(1);
	return blocks[0] as CodeBlock;
}

async function answer(url: string, method: string, headers: Record<string, string>) {
	const response = await fetch(new URL("/v1/products", url), { method, headers });
	const pick = (name: string) => response.headers.get(name);
	return {
		status: response.status,
		allowOrigin: pick("access-control-allow-origin"),
		exposeHeaders: pick("access-control-expose-headers"),
		wwwAuthenticate: pick("www-authenticate"),
		body: await response.text(),
	};
}

describe("README recipe: CORS preflight with a global guard", () => {
	it.each(FRAMEWORKS)(
		"%s: the preflight passes the guard, the guard's answers carry CORS headers",
		async (framework) => {
			const app = await start(
				`cors-${framework}`,
				runnableBlock(corsBlock(framework), framework, [
					[README_ISSUER, JSON.stringify(issuer.issuer)],
					[README_AUDIENCE, JSON.stringify(issuer.audience)],
				]),
			);
			try {
				const preflight = await fetch(new URL("/v1/products", app.url), {
					method: "OPTIONS",
					headers: {
						origin: ORIGIN,
						"access-control-request-method": "GET",
						"access-control-request-headers": "authorization",
					},
				});
				expect({
					status: preflight.status,
					allowOrigin: preflight.headers.get("access-control-allow-origin"),
					allowHeaders: preflight.headers.get("access-control-allow-headers"),
					wwwAuthenticate: preflight.headers.get("www-authenticate"),
					body: await preflight.text(),
				}).toEqual({
					status: 204,
					allowOrigin: ORIGIN,
					allowHeaders: "authorization",
					wwwAuthenticate: null,
					body: "",
				});
				expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");

				expect(await answer(app.url, "GET", { origin: ORIGIN })).toEqual({
					status: 401,
					allowOrigin: ORIGIN,
					exposeHeaders: "WWW-Authenticate",
					wwwAuthenticate: 'Bearer realm="api"',
					body: '{"error":"invalid_token","message":"Missing bearer token"}',
				});

				const token = await issuer.sign({ permissions: ["read"] });
				expect(await answer(app.url, "GET", { origin: ORIGIN, authorization: `Bearer ${token}` })).toEqual({
					status: 200,
					allowOrigin: ORIGIN,
					exposeHeaders: "WWW-Authenticate",
					wwwAuthenticate: null,
					body: '{"for":"user_123"}',
				});
			} finally {
				await app.close();
			}
		},
	);
});

describe("README recipe: an issuer reachable only at an internal URL", () => {
	it("verifies the public iss with keys from the internal jwksUri, and never fetches discovery", async () => {
		const [block] = readmeBlocksUnder("An issuer reachable only at an internal URL");
		expect(block).toBeDefined();
		const before = issuer.requests;
		const app = await start(
			"internal-jwks",
			runnableBlock(block as CodeBlock, "express", [
				[README_JWKS_URI, JSON.stringify(issuer.jwksUri)],
				[README_AUDIENCE, JSON.stringify(issuer.audience)],
			]),
		);
		try {
			const publicToken = await issuer.sign({ iss: "https://auth.example.com/" });
			expect(await answer(app.url, "GET", { authorization: `Bearer ${publicToken}` })).toEqual({
				status: 200,
				allowOrigin: null,
				exposeHeaders: null,
				wwwAuthenticate: null,
				body: '{"for":"user_123"}',
			});
			// A token naming the internal URL as its issuer is not one of ours.
			const internalToken = await issuer.sign({});
			expect(await answer(app.url, "GET", { authorization: `Bearer ${internalToken}` })).toEqual({
				status: 401,
				allowOrigin: null,
				exposeHeaders: null,
				wwwAuthenticate:
					'Bearer realm="api", error="invalid_token", error_description="Unexpected token issuer"',
				body: '{"error":"invalid_token","message":"Unexpected token issuer"}',
			});
			expect({
				discovery: issuer.requests.discovery - before.discovery,
				jwks: issuer.requests.jwks - before.jwks,
			}).toEqual({ discovery: 0, jwks: 1 });
		} finally {
			await app.close();
		}
	});
});
