import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { type AuthOptions, sharedVerifier, type VerifierInternals } from "@bearerguard/core";
import { createTestIssuer } from "@bearerguard/testing";
import { ADAPTERS, type AdapterName, startApps } from "../../support/apps.js";

/**
 * A bounded load run on loopback: a fixed number of requests per adapter, half of them valid tokens
 * (a pool of 100, so the verified-token cache serves most) and half unique forged tokens, each
 * naming a kid nobody knows (so each one reaches the key lookup and asks for a JWKS refetch). Plain
 * `http.Agent` keep-alive from a worker thread, a fixed concurrency, the process's resident memory
 * (servers, verifiers and the generator) sampled every 50 ms.
 */

export interface LoadOptions {
	/** Requests per adapter. */
	readonly requests: number;
	/** Requests in flight at once. */
	readonly concurrency: number;
	readonly adapters?: readonly AdapterName[];
	/** Called now and then with progress, e.g. to print it. */
	readonly onProgress?: (adapter: AdapterName, done: number) => void;
}

export interface LoadResult {
	readonly adapter: AdapterName;
	readonly requests: number;
	readonly seconds: number;
	readonly perSecond: number;
	/** Answers by status code; `network` counts failed requests (resets, refused). */
	readonly statuses: Readonly<Record<string, number>>;
	readonly peakRssMiB: number;
	/** Highest RSS in the first and in the second half of the run. */
	readonly firstHalfRssMiB: number;
	readonly secondHalfRssMiB: number;
	/** The heap retained (after a full collection) once the first half of the requests was answered. */
	readonly retainedFirstHalfMiB: number;
	/** The same once every request was answered: a leak makes it grow with the requests. */
	readonly retainedSecondHalfMiB: number;
	/** JWKS fetches of this adapter's verifier during the run, and what the cooldown allows. */
	readonly jwksFetches: number;
	readonly jwksFetchBound: number;
}

const MiB = 1024 * 1024;
const COOLDOWN_SECONDS = 30;

/**
 * The load generator, as plain JavaScript run in a worker thread so that it does not compete with the
 * servers for the event loop. It makes the forged tokens on demand (our iss and aud, an unknown kid
 * `unknown-<n>`, a random signature) and reports the count of answers by status.
 */
const GENERATOR = `
const { parentPort, workerData } = require("node:worker_threads");
const { Agent, request } = require("node:http");
const { randomBytes } = require("node:crypto");
const { port, path, requests, concurrency, valid, issuer, audience } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const signature = randomBytes(256).toString("base64url");
const exp = Math.floor(Date.now() / 1000) + 3600;
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const forged = (n) =>
	b64({ alg: "RS256", kid: "unknown-" + n }) + "." + b64({ iss: issuer, aud: audience, sub: "forged-" + n, exp, jti: "f" + n }) + "." + signature;
const statuses = {};
let next = 0;
const get = (token) =>
	new Promise((resolve) => {
		const req = request({ host: "127.0.0.1", port, path, agent, headers: { authorization: "Bearer " + token } }, (res) => {
			res.resume();
			res.on("end", () => resolve(res.statusCode));
		});
		req.on("error", () => resolve("network"));
		req.end();
	});
async function worker() {
	for (;;) {
		const n = next++;
		if (n >= requests) return;
		const status = String(await get(n % 2 === 0 ? valid[(n >> 1) % valid.length] : forged(n)));
		statuses[status] = (statuses[status] || 0) + 1;
		if (n % 50000 === 0) parentPort.postMessage({ progress: n });
	}
}
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
	agent.destroy();
	parentPort.postMessage({ statuses });
});
`;

interface GeneratorInput {
	readonly port: number;
	readonly path: string;
	readonly requests: number;
	readonly concurrency: number;
	readonly valid: readonly string[];
	readonly issuer: string;
	readonly audience: string;
}

/** Runs the generator in a worker thread; resolves the answers by status. */
function generate(
	input: GeneratorInput,
	onProgress: (done: number) => void,
): Promise<Record<string, number>> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(GENERATOR, { eval: true, workerData: input });
		worker.on("message", (message: { progress?: number; statuses?: Record<string, number> }) => {
			if (message.statuses) resolve(message.statuses);
			else if (message.progress !== undefined) onProgress(message.progress);
		});
		worker.on("error", reject);
		worker.on("exit", (code) => {
			if (code !== 0) reject(new Error(`load generator exited with ${code}`));
		});
	});
}

async function warmUp(port: number, path: string, token: string): Promise<void> {
	const res = await fetch(`http://127.0.0.1:${port}${path}`, {
		headers: { authorization: `Bearer ${token}` },
	});
	await res.arrayBuffer();
	if (res.status !== 200) throw new Error(`warm-up answered ${res.status}`);
}

/** `gc()`, made callable without `--expose-gc` on the command line. */
const collect = (() => {
	setFlagsFromString("--expose-gc");
	return runInNewContext("gc") as () => void;
})();

/** The heap in use after full collections: what the process retains (bytes). */
function retainedHeap(): number {
	collect();
	collect();
	return process.memoryUsage().heapUsed;
}

function sampleRss(samples: number[]): NodeJS.Timeout {
	return setInterval(() => samples.push(process.memoryUsage().rss), 50);
}

const max = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0);
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

/** Runs the load against each adapter in turn (each with its own verifier) and reports per adapter. */
export async function runLoad(options: LoadOptions): Promise<LoadResult[]> {
	const issuer = await createTestIssuer();
	const adapters = options.adapters ?? ADAPTERS;
	// One verifier per adapter (the realm differs), so each adapter's JWKS fetches are its own.
	const optionsOf = (adapter: AdapterName): AuthOptions => ({
		issuer: issuer.issuer,
		audience: issuer.audience,
		realm: `load-${adapter}`,
	});
	const apps = await startApps(
		{},
		adapters.map((adapter) => ({
			method: "GET",
			path: `/${adapter}`,
			auth: optionsOf(adapter),
			standalone: true,
		})),
	);
	const valid = await Promise.all(
		Array.from({ length: 100 }, (_, i) => issuer.sign({ sub: `user_${i}`, permissions: ["read"] })),
	);
	const results: LoadResult[] = [];
	try {
		for (const adapter of adapters) {
			const app = apps.find((candidate) => candidate.name === adapter);
			if (app === undefined) throw new Error(`no ${adapter} app`);
			const port = Number(new URL(app.url).port);
			const verifier = sharedVerifier(optionsOf(adapter)) as VerifierInternals;
			// Warm-up: discovery and the first JWKS fetch happen before the clock starts.
			await warmUp(port, `/${adapter}`, valid[0] as string);
			const fetchesBefore = verifier.keys.cacheOf(issuer.issuer)?.fetches ?? 0;
			const samples: number[] = [];
			const sampler = sampleRss(samples);
			const started = performance.now();
			// Two halves; after each, a full collection and the heap still in use: what the server retains.
			const retained: number[] = [];
			const statuses: Record<string, number> = {};
			for (const part of [Math.ceil(options.requests / 2), Math.floor(options.requests / 2)]) {
				const counted = await generate(
					{
						port,
						path: `/${adapter}`,
						requests: part,
						concurrency: options.concurrency,
						valid,
						issuer: issuer.issuer,
						audience: issuer.audience,
					},
					(done) => options.onProgress?.(adapter, done),
				);
				for (const [status, count] of Object.entries(counted))
					statuses[status] = (statuses[status] ?? 0) + count;
				retained.push(retainedHeap());
			}
			const seconds = (performance.now() - started) / 1000;
			clearInterval(sampler);
			const half = Math.floor(samples.length / 2);
			const fetches = (verifier.keys.cacheOf(issuer.issuer)?.fetches ?? 0) - fetchesBefore;
			results.push({
				adapter,
				requests: options.requests,
				seconds: Math.round(seconds * 10) / 10,
				perSecond: Math.round(options.requests / seconds),
				statuses,
				peakRssMiB: mib(max(samples)),
				firstHalfRssMiB: mib(max(samples.slice(0, half))),
				secondHalfRssMiB: mib(max(samples.slice(half))),
				retainedFirstHalfMiB: mib(retained[0] as number),
				retainedSecondHalfMiB: mib(retained[1] as number),
				jwksFetches: fetches,
				jwksFetchBound: 1 + Math.ceil(seconds / COOLDOWN_SECONDS),
			});
		}
	} finally {
		await Promise.all(apps.map((app) => app.close()));
		await issuer.close();
	}
	return results;
}

/** The results as rows for `console.table`. */
export function tableOf(results: readonly LoadResult[]): Array<Record<string, string | number>> {
	return results.map((r) => ({
		adapter: r.adapter,
		requests: r.requests,
		seconds: r.seconds,
		"req/s": r.perSecond,
		"200": r.statuses["200"] ?? 0,
		"401": r.statuses["401"] ?? 0,
		other: Object.entries(r.statuses)
			.filter(([status]) => status !== "200" && status !== "401")
			.map(([status, count]) => `${status}:${count}`)
			.join(" "),
		"peak RSS MiB": r.peakRssMiB,
		"RSS 1st half": r.firstHalfRssMiB,
		"RSS 2nd half": r.secondHalfRssMiB,
		"heap retained 1st half": r.retainedFirstHalfMiB,
		"heap retained 2nd half": r.retainedSecondHalfMiB,
		"JWKS fetches": `${r.jwksFetches} (≤ ${r.jwksFetchBound})`,
	}));
}
