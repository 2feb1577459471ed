import { createVerifier, sharedVerifier, type VerifierInternals } from "@bearerguard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { algorithmRows } from "./rows/algorithms.js";
import { claimRows } from "./rows/claims.js";
import { keyRows } from "./rows/keys.js";
import { structureRows } from "./rows/structure.js";
import { transportRows } from "./rows/transport.js";
import { describeAnswer } from "./support/answers.js";
import {
	type AttackContext,
	type AttackRow,
	catalogRoutes,
	configOptions,
	createCatalogContext,
} from "./support/catalog.js";
import { checkReply } from "./support/check.js";
import { type AttackRequest, send } from "./support/send.js";
import { ADAPTERS, type AdapterServer, startServers } from "./support/servers.js";

/**
 * The attack catalog: one table, one row per attack with its exact answer, every row sent to every
 * adapter (Express 5, Express 4, Koa, Fastify) over real HTTP. Rows live in ./rows by concern.
 */
const CATALOG: readonly AttackRow[] = [
	...algorithmRows,
	...keyRows,
	...structureRows,
	...claimRows,
	...transportRows,
];

let ctx: AttackContext & { close(): Promise<void> };
let servers: AdapterServer[];
const started = Date.now();

beforeAll(async () => {
	ctx = await createCatalogContext();
	servers = await startServers(catalogRoutes(ctx));
});

afterAll(async () => {
	await Promise.all(servers.map((server) => server.close()));
	await ctx.close();
});

function server(name: string): AdapterServer {
	const found = servers.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`no ${name} server`);
	return found;
}

/** What the catalog must name: every RFC 8725 / RFC 9068 check and every advisory of the issue. */
const MUST_NAME = [
	...["3.1", "3.3", "3.4", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12"].map((s) => `RFC 8725 §${s}`),
	"RFC 9068 §2.2",
	"RFC 9068 §4",
	"CVE-2015-9235 jsonwebtoken",
	"CVE-2022-23529 jsonwebtoken",
	"CVE-2022-23539 jsonwebtoken",
	"CVE-2022-23540 jsonwebtoken",
	"CVE-2022-23541 jsonwebtoken",
	"CVE-2020-15084 express-jwt",
	"jwks-rsa",
	"CVE-2023-48223 fast-jwt",
	"CVE-2026-34950 fast-jwt",
	"CVE-2025-30144 fast-jwt",
	"CVE-2026-35042 fast-jwt",
	"CVE-2026-44351 fast-jwt",
	"fast-jwt GHSA-rp9m-7r4c-75qg",
	"fast-jwt cache advisory",
	"koa-jwt",
	"CVE-2022-36083 jose",
	"CVE-2024-28176 jose",
	"CVE-2018-0114 node-jose",
	"CVE-2025-59936 get-jwks",
];

describe("the catalog's coverage", () => {
	it.each(MUST_NAME)("has a row naming %s", (needle) => {
		expect(CATALOG.filter((row) => row.name.includes(needle)).map((row) => row.name)).not.toEqual([]);
	});

	// RFC 8725 §3.1, §3.2, §3.5: what no token can do because the configuration refuses it up front.
	it.each([
		["alg none in the allow-list", { algorithms: ["none"] }],
		["HS256 in the allow-list with JWKS keys", { algorithms: ["HS256"] }],
		["RS256 in the allow-list with a shared secret", { secret: "s".repeat(32), algorithms: ["RS256"] }],
		["a shared secret under 32 bytes (RFC 8725 §3.5, RFC 7518 §3.2)", { secret: "s".repeat(31) }],
	])("refuses %s when the verifier is created (TypeError)", (_name, options) => {
		expect(() =>
			createVerifier({ issuer: "https://issuer.test", audience: "https://api.test", ...options } as never),
		).toThrow(TypeError);
	});
});

describe(`attack catalog: ${CATALOG.length} attacks × ${ADAPTERS.length} adapters`, () => {
	it("names every attack once", () => {
		const names = CATALOG.map((row) => row.name);
		expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
	});

	describe.each(ADAPTERS)("%s", (adapter) => {
		for (const row of CATALOG) {
			it(`${row.name} → ${describeAnswer(row.expect)}`, async () => {
				const target = server(adapter);
				const to = (req: AttackRequest) => send(target.url, target.port, req);
				const request = await row.request(ctx);
				if (row.before) await row.before(ctx, request, to);
				checkReply(await to(request), row.expect);
			});
		}

		it("still answers a valid token with 200 after the whole catalog (no crash, no wedged state)", async () => {
			const target = server(adapter);
			const reply = await send(target.url, target.port, {
				path: "/default/write",
				authorization: `Bearer ${ctx.signed("RS256", { permissions: ["write"] })}`,
			});
			expect(reply.status).toBe(200);
		});
	});

	describe("side effects of the whole catalog", () => {
		it("sent no request to the attacker's server (jku, x5u, x5c, jwk, iss are never followed)", () => {
			expect({ requests: ctx.attacker.requests, paths: ctx.attacker.paths }).toEqual({
				requests: 0,
				paths: [],
			});
		});

		it("fetched each verifier's JWKS at most once plus one refetch per 30 s cooldown, however many unknown kids", () => {
			const cooldowns = Math.floor((Date.now() - started) / 30_000);
			const options = configOptions(ctx);
			const fetches: Record<string, number> = {};
			for (const name of Object.keys(options) as Array<keyof typeof options>) {
				if (name === "secret") continue;
				const verifier = sharedVerifier(options[name]) as VerifierInternals;
				fetches[name] = verifier.keys.cacheOf(ctx.issuer.issuer)?.fetches ?? 0;
				if (name === "multi") fetches.foreign = verifier.keys.cacheOf(ctx.foreign.issuer)?.fetches ?? 0;
			}
			for (const [name, count] of Object.entries(fetches)) {
				expect({ name, bounded: count >= 1 && count <= 2 + cooldowns }).toEqual({ name, bounded: true });
			}
			const { foreign, ...ours } = fetches;
			expect(ctx.issuer.requests.jwks).toBe(Object.values(ours).reduce((a, b) => a + b, 0));
			expect(ctx.foreign.requests.jwks).toBe(foreign);
		});
	});
});
