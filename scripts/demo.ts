/**
 * `pnpm demo`: starts one embedded test issuer and the three example apps (Express, Koa, Fastify),
 * sends each the same scripted requests, and checks every answer (status, body, WWW-Authenticate)
 * against the documented one. Exits 0 only if all of them match.
 * `pnpm demo -- --serve` then keeps the issuer and the apps running and prints how to call them.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiKeyRecord, createTestApiKey, createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { createApp as createExpressApp } from "../examples/express/src/app.js";
import { createApp as createFastifyApp } from "../examples/fastify/src/app.js";
import { runFleetDemo } from "../examples/fleet/src/fleet.js";
import { createApp as createKoaApp } from "../examples/koa/src/app.js";
import { inspectRefusals } from "./demo/inspect.js";
import { renderTable } from "./demo/table.js";
import {
	type Answer,
	createProofs,
	DPOP_STEPS,
	differences,
	forgeAlgNone,
	KEY_STEPS,
	type Proofs,
	send,
	STEPS as TOKEN_STEPS,
	type Tokens,
} from "./demo/tour.js";

/** The tour: the bearer token steps, the legacy route's API key steps, then the DPoP-only route's steps. */
const STEPS = [...TOKEN_STEPS, ...KEY_STEPS, ...DPOP_STEPS];

interface App {
	name: string;
	url: string;
}

interface Outcome {
	answer: Answer | undefined;
	differences: string[];
}

type Close = () => Promise<unknown>;

/** Serves a Node request listener on a free loopback port. */
async function serve(listener: RequestListener, closers: Close[]): Promise<string> {
	const server = createServer(listener);
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	closers.push(
		() =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	);
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startApps(issuer: TestIssuer, legacyKeys: ApiKeyRecord[], closers: Close[]): Promise<App[]> {
	const options = { issuer: issuer.issuer, audience: issuer.audience };
	const fastify = await createFastifyApp(options, legacyKeys);
	closers.push(() => fastify.close());
	return [
		{ name: "express", url: await serve(createExpressApp(options, legacyKeys), closers) },
		{ name: "koa", url: await serve(createKoaApp(options, legacyKeys).callback(), closers) },
		{ name: "fastify", url: await fastify.listen({ port: 0, host: "127.0.0.1" }) },
	];
}

async function mintTokens(issuer: TestIssuer, apiKey: string): Promise<Tokens> {
	const now = Math.floor(Date.now() / 1000);
	const claims = { permissions: ["read"], org_id: "org_demo" };
	return {
		read: await issuer.sign(claims),
		expired: await issuer.sign({ ...claims, iat: now - 7200, exp: now - 3600 }),
		noOrganization: await issuer.sign({ permissions: ["read"] }),
		otherAudience: await issuer.sign({ ...claims, aud: "https://other-api.example.com" }),
		apiKey,
		unknownApiKey: createTestApiKey({ subject: "nobody", permissions: [] }).key,
		dpopBound: await issuer.sign(claims, { dpopKey: issuer.dpopKey }),
		algNone: forgeAlgNone({
			iss: issuer.issuer,
			aud: issuer.audience,
			sub: "user_123",
			iat: now,
			exp: now + 3600,
			jti: randomUUID(),
			...claims,
		}),
	};
}

async function runTour(apps: readonly App[], tokens: Tokens, proofs: Proofs): Promise<Outcome[][]> {
	const results: Outcome[][] = [];
	for (const step of STEPS) {
		results.push(
			await Promise.all(
				apps.map(async (app): Promise<Outcome> => {
					try {
						const answer = await send(app.url, step, tokens, proofs);
						return { answer, differences: differences(answer, step.expected) };
					} catch (error) {
						return { answer: undefined, differences: [`no answer: ${(error as Error).message}`] };
					}
				}),
			),
		);
	}
	return results;
}

function field(body: unknown, name: "error" | "message"): string | undefined {
	const value =
		typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
	return typeof value === "string" ? value : undefined;
}

/** Prints the table and the differences; returns the process exit code. */
function report(apps: readonly App[], results: Outcome[][]): number {
	const rows = STEPS.map((step, i) => {
		const outcomes = results[i] ?? [];
		const cells = outcomes.map(({ answer, differences }) => {
			const mark = differences.length === 0 ? "✓" : "✗";
			return answer
				? `${mark} ${answer.status} ${field(answer.body, "error") ?? ""}`.trimEnd()
				: `${mark} no answer`;
		});
		const messages = new Set(outcomes.map(({ answer }) => field(answer?.body, "message") ?? ""));
		const message = messages.size === 1 ? [...messages][0] || "—" : "(differs, see below)";
		return [`${i + 1}. ${step.title}`, ...cells, message];
	});
	console.log(`\n${renderTable(["step", ...apps.map((app) => app.name), "message"], rows)}\n`);

	const problems = STEPS.flatMap((step, i) =>
		apps.flatMap((app, j) => {
			const found = results[i]?.[j]?.differences ?? [];
			return found.length === 0
				? []
				: [`  ${app.name}, step ${i + 1} (${step.title}):`, ...found.map((d) => `    ${d}`)];
		}),
	);
	const total = STEPS.length * apps.length;
	if (problems.length === 0) {
		console.log(`All ${total} answers are the documented ones.`);
		return 0;
	}
	console.log(`Some of the ${total} answers differ from the documented ones:\n${problems.join("\n")}`);
	return 1;
}

async function keepServing(issuer: TestIssuer, apps: readonly App[]): Promise<void> {
	const token = await issuer.sign({ permissions: ["read", "write"], org_id: "org_demo" });
	console.log(`\nServing until Ctrl-C.\n  issuer   ${issuer.issuer}`);
	for (const app of apps) console.log(`  ${app.name.padEnd(8)} ${app.url}`);
	console.log(`\nTOKEN=${token}`);
	for (const app of apps) {
		console.log(
			`curl -H "Authorization: Bearer $TOKEN" -H "x-organization-id: org_demo" ${app.url}/v1/products`,
		);
	}
	// The DPoP-only route: a bound token, and one proof per app (each good for one request, 5 minutes).
	const bound = await issuer.sign({ permissions: ["read"], org_id: "org_demo" }, { dpopKey: issuer.dpopKey });
	console.log(`\nDPOP_TOKEN=${bound}`);
	for (const app of apps) {
		const url = `${app.url}/v1/payments`;
		const proof = await issuer.dpopProof({ method: "GET", url, token: bound });
		console.log(
			`curl -H "Authorization: DPoP $DPOP_TOKEN" -H "DPoP: ${proof}" -H "x-organization-id: org_demo" ${url}`,
		);
	}
	await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
}

/**
 * The fleet: three instances sharing one Redis; a token logged out on one is refused by all three.
 * Without Redis it is skipped with one line, except under CI=true, where it fails.
 */
async function fleetStep(): Promise<number> {
	console.log("\nFleet (three instances, one Redis): revoke a token on one, refused by all");
	const fleet = await runFleetDemo({ redisUrl: process.env.REDIS_URL });
	if ("skipped" in fleet) {
		console.log(`  skipped: ${fleet.skipped}`);
		return process.env.CI === "true" ? 1 : 0;
	}
	console.log(fleet.report);
	return fleet.ok ? 0 : 1;
}

async function main(): Promise<number> {
	const closers: Close[] = [];
	try {
		const issuer = await createTestIssuer({ audience: "https://api.example.com" });
		closers.push(() => issuer.close());
		// The legacy route's API key: the apps hold only its hash.
		const legacy = issuer.apiKey({
			subject: "svc_legacy_reports",
			permissions: ["read"],
			organization: "org_demo",
		});
		const apps = await startApps(issuer, [legacy.record], closers);
		console.log(
			`bearerguard demo: issuer ${issuer.issuer}; ${apps.map((app) => `${app.name} ${app.url}`).join(", ")}`,
		);
		const tokens = await mintTokens(issuer, legacy.key);
		// DPoP proofs of the issuer's own DPoP key, the one `dpopBound` is bound to.
		const proofs = createProofs((method, url, token) => issuer.dpopProof({ method, url, token }));
		const tour = report(apps, await runTour(apps, tokens, proofs));
		// Why were they refused? `bearerguard inspect` on two of the tokens the tour used.
		let code = Math.max(tour, await inspectRefusals(issuer, tokens));
		code = Math.max(code, await fleetStep());
		if (process.argv.includes("--serve")) await keepServing(issuer, apps);
		return code;
	} catch (error) {
		console.error("The demo could not run:", error);
		return 1;
	} finally {
		await Promise.allSettled(closers.reverse().map((close) => close()));
	}
}

process.exitCode = await main();
