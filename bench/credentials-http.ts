/**
 * HTTP benchmark of API keys: autocannon on loopback against one server process per framework and
 * variant (credential-server.ts), GET /v1/products with no auth, behind `requireAuth` taking a cached
 * bearer token, and behind `requireAuth` taking an API key (static list, or a cached `lookup`). Each
 * guarded variant is compared with the same no-auth server loaded with the same request (the same
 * header), in the same round, right before or after it: short runs of many rounds, whose order
 * alternates, so that a burst of other work on the machine hits both runs of a pair alike.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateApiKey } from "@bearerguard/core";
import { createTestIssuer } from "@bearerguard/testing";
import autocannon from "autocannon";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { median } from "./lib/harness.js";
import { CONNECTIONS } from "./lib/load.js";
import { type ServerProcess, startServer } from "./lib/servers.js";
import { formatCount, formatDelta, formatRatio, markdownTable } from "./lib/table.js";
import {
	CREDENTIAL_FRAMEWORKS,
	CREDENTIAL_VARIANTS,
	type CredentialFramework,
	type CredentialVariant,
} from "./servers/credentials.js";
import { ROUTE } from "./servers/shared.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "credential-server.ts");

export interface CredentialHttpOptions {
	readonly seconds: number;
	readonly warmupSeconds: number;
	readonly initialWarmupSeconds: number;
	readonly rounds: number;
}

export interface CredentialHttpResult {
	readonly framework: CredentialFramework;
	readonly variant: CredentialVariant;
	/** Median over the rounds. */
	readonly requestsPerSec: number;
	/** Median over the rounds of the server's CPU time per request. */
	readonly cpuMicrosPerRequest: number;
	/** The same for the no-auth server under the same request: the difference is what the auth costs. */
	readonly baselineCpuMicrosPerRequest: number;
	/** Median over the rounds of req/s ÷ the no-auth server's under the same request, same round. */
	readonly ratioToBaseline: number;
	readonly failures: number;
}

interface Measured {
	readonly requestsPerSec: number;
	readonly cpuMicrosPerRequest: number;
	readonly failures: number;
}

async function load(
	server: ServerProcess,
	headers: Record<string, string>,
	seconds: number,
): Promise<Measured> {
	const before = await server.cpuMicros();
	const result = await autocannon({
		url: `http://127.0.0.1:${server.port}${ROUTE}`,
		connections: CONNECTIONS,
		duration: seconds,
		headers,
	});
	const cpu = (await server.cpuMicros()) - before;
	return {
		requestsPerSec: result.requests.average,
		cpuMicrosPerRequest: cpu / result.requests.total,
		failures: result.non2xx + result.errors + result.timeouts,
	};
}

async function check(server: ServerProcess, variant: CredentialVariant, headers: Record<string, string>) {
	const url = `http://127.0.0.1:${server.port}${ROUTE}`;
	const statuses = [(await fetch(url, { headers })).status, (await fetch(url)).status];
	const expected = variant === "none" ? [200, 200] : [200, 401];
	if (statuses.join() !== expected.join()) {
		throw new Error(`bench: ${server.label} answered ${statuses.join("/")} instead of ${expected.join("/")}`);
	}
}

/** Runs every framework in turn; each framework's servers are stopped before the next starts. */
export async function runCredentialHttp(options: CredentialHttpOptions): Promise<CredentialHttpResult[]> {
	const issuer = await createTestIssuer();
	const { key, hash } = generateApiKey();
	const bearer = { authorization: `Bearer ${await issuer.sign(TOKEN_CLAIMS)}` };
	const keyed = { "x-api-key": key };
	const headersOf = (variant: CredentialVariant) => (variant === "bearer token (cached)" ? bearer : keyed);
	const env = {
		BEARERGUARD_ISSUER: issuer.issuer,
		BEARERGUARD_AUDIENCE: issuer.audience,
		BENCH_API_KEY_HASH: hash,
	};
	const results: CredentialHttpResult[] = [];
	try {
		for (const framework of CREDENTIAL_FRAMEWORKS) {
			const servers = new Map<CredentialVariant, ServerProcess>();
			try {
				for (const variant of CREDENTIAL_VARIANTS) {
					const server = await startServer(framework, variant, env, SCRIPT);
					servers.set(variant, server);
					await check(server, variant, headersOf(variant));
				}
				// Each guarded variant, and the baseline under the same request as it.
				const runs = [...CREDENTIAL_VARIANTS]
					.filter((variant) => variant !== "none")
					.flatMap((variant) => [
						{ variant, server: servers.get(variant) as ServerProcess, baseline: false },
						{ variant, server: servers.get("none") as ServerProcess, baseline: true },
					]);
				for (const run of runs) await load(run.server, headersOf(run.variant), options.initialWarmupSeconds);
				const measured = new Map<string, Measured[]>();
				for (let round = 1; round <= options.rounds; round++) {
					const order = round % 2 === 0 ? [...runs].reverse() : runs;
					for (const run of order) {
						const headers = headersOf(run.variant);
						if (options.warmupSeconds > 0) await load(run.server, headers, options.warmupSeconds);
						const result = await load(run.server, headers, options.seconds);
						const label = `${run.variant}${run.baseline ? " / none" : ""}`;
						measured.set(label, [...(measured.get(label) ?? []), result]);
						process.stderr.write(
							`  credentials http ${framework} ${label} round ${round}: ${formatCount(result.requestsPerSec)} req/s, ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/req${result.failures ? `, ${result.failures} FAILED` : ""}\n`,
						);
					}
				}
				for (const variant of CREDENTIAL_VARIANTS) {
					if (variant === "none") continue;
					const own = measured.get(variant) ?? [];
					const base = measured.get(`${variant} / none`) ?? [];
					results.push({
						framework,
						variant,
						requestsPerSec: median(own.map((run) => run.requestsPerSec)),
						cpuMicrosPerRequest: median(own.map((run) => run.cpuMicrosPerRequest)),
						baselineCpuMicrosPerRequest: median(base.map((run) => run.cpuMicrosPerRequest)),
						ratioToBaseline: median(
							own.map((run, index) => run.requestsPerSec / (base[index] as Measured).requestsPerSec),
						),
						failures: own.reduce((sum, run) => sum + run.failures, 0),
					});
				}
			} finally {
				await Promise.all([...servers.values()].map((server) => server.stop()));
			}
		}
	} finally {
		await issuer.close();
	}
	return results;
}

export function credentialHttpTable(results: readonly CredentialHttpResult[]): string {
	return markdownTable(
		[
			"framework",
			"variant",
			"req/s",
			"server CPU µs/req",
			"auth CPU µs/req",
			"req/s × no auth (same request)",
			"failed requests",
		],
		results.map((result) => [
			result.framework,
			result.variant,
			formatCount(result.requestsPerSec),
			result.cpuMicrosPerRequest.toFixed(1),
			formatDelta(result.cpuMicrosPerRequest - result.baselineCpuMicrosPerRequest),
			formatRatio(result.ratioToBaseline),
			result.failures === 0 ? "0" : `${result.failures} (spoilt)`,
		]),
	);
}
