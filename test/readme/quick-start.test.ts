/**
 * The README's Quick starts, run as written: each block becomes a module (the test issuer's URL and
 * audience in place of the README's literals, the port a free one on loopback), and answers a valid
 * token, a token without the permission, and no token exactly as the README's tables say.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	expected,
	type Framework,
	QUICK_START_CASES,
	ROOT,
	runnableQuickStart,
	send,
} from "./support/quick-start.js";

const DIR = join(ROOT, "test", "readme", ".tmp", `quick-start-${process.pid}`);
let issuer: TestIssuer;

beforeAll(async () => {
	// The Quick starts configure everything in code: nothing may come from the environment.
	for (const name of Object.keys(process.env)) if (name.startsWith("BEARERGUARD_")) delete process.env[name];
	issuer = await createTestIssuer();
	mkdirSync(DIR, { recursive: true });
});

afterAll(async () => {
	await issuer?.close();
	rmSync(DIR, { recursive: true, force: true });
});

interface RunningQuickStart {
	readonly server: Server;
	close(): Promise<void>;
}

/** Builds the README's Quick start for `framework` into a module, imports it, and waits until it listens. */
async function start(framework: Framework): Promise<{ url: string; close(): Promise<void> }> {
	const file = join(DIR, `${framework}.ts`);
	const source = runnableQuickStart(framework, {
		issuer: JSON.stringify(issuer.issuer),
		audience: JSON.stringify(issuer.audience),
	});
	writeFileSync(file, source);
	const app = (await import(pathToFileURL(file).href)) as RunningQuickStart;
	if (!app.server.listening) await new Promise((listening) => app.server.once("listening", listening));
	const { port } = app.server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

async function answersAsDocumented(framework: Framework): Promise<void> {
	const app = await start(framework);
	try {
		for (const testCase of QUICK_START_CASES[framework]) {
			const token =
				testCase.token === "none"
					? undefined
					: await issuer.sign({ permissions: [...testCase.token.permissions] });
			expect({ case: testCase.name, ...(await send(app.url, testCase, token)) }).toEqual({
				case: testCase.name,
				...expected(testCase),
			});
		}
	} finally {
		await app.close();
	}
}

describe("README Quick start", () => {
	it("Express: starts and answers as documented", () => answersAsDocumented("express"));

	it("Koa: starts and answers as documented", () => answersAsDocumented("koa"));

	it("Fastify: starts and answers as documented", () => answersAsDocumented("fastify"));
});
