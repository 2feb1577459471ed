/**
 * Micro benchmark of DPoP (RFC 9449), in one process: what one request costs the compiled guard
 * (credential, verify, proof, permission) through a RequestReader, on a cached token: `Authorization:
 * Bearer` against `Authorization: DPoP` with a proof of its own per request (ES256, and Ed25519), the
 * proofs' `jti` claimed in the in-memory replay store. The floor of a proof is `node:crypto`'s verify
 * of its signature; each DPoP case is reported as a ratio to the bearer request and to the bearer
 * request plus that floor, both taken within the same rounds. Proofs are minted before timing
 * (lib/dpop-proofs.ts).
 */
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import {
	createMemoryReplayStore,
	createVerifier,
	type GuardCheck,
	type RequestReader,
	type VerifierOptions,
} from "@bearerguard/core";
import { createDpopKey, createTestIssuer, type DpopKey } from "@bearerguard/testing";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { proofMinter } from "./lib/dpop-proofs.js";
import { type HarnessOptions, type Measurement, measureInterleaved, median } from "./lib/harness.js";
import { formatCount, formatRatio, markdownTable } from "./lib/table.js";

/** The cases, in the order of the table; the first is the baseline of the ratios. */
export const DPOP_MICRO_CASES = [
	"Bearer, token cache hit",
	"node:crypto verify of an ES256 proof (floor)",
	"DPoP ES256 proof, token cache hit, in-memory replay store",
	"node:crypto verify of an Ed25519 proof (floor)",
	"DPoP Ed25519 proof, token cache hit, in-memory replay store",
] as const;
type DpopMicroCase = (typeof DPOP_MICRO_CASES)[number];

export interface DpopMicroResult extends Measurement {
	readonly case: DpopMicroCase;
	/** Nanoseconds per operation (the median's). */
	readonly nsPerOp: number;
	/** Median over the rounds of this case's time per op ÷ the bearer request's, same round. */
	readonly costToBearer: number;
	/**
	 * For a DPoP case: median over the rounds of its time per op ÷ (the bearer request's + its floor's),
	 * same round. What DPoP costs beyond the one signature check it cannot avoid; the target is 1.2×.
	 */
	readonly costToBearerPlusFloor: number | undefined;
}

/** The request of the benchmark: what an adapter's reader hands the core. */
interface PlainRequest {
	readonly method: string;
	readonly url: string;
	readonly headers: Record<string, string>;
	readonly rawHeaders: string[];
}

const reader: RequestReader<PlainRequest> = {
	headers: (request) => request.headers,
	rawHeaders: (request) => request.rawHeaders,
	method: (request) => request.method,
	url: (request) => request.url,
};

const URL = "https://api.example.com/v1/products";

/** A request whose header values are new strings, as each request's parsing yields. */
function request(authorization: string, proof?: string): PlainRequest {
	const value = ` ${authorization}`.slice(1);
	const headers: Record<string, string> = { host: "api.example.com", authorization: value };
	const rawHeaders = ["Host", "api.example.com", "Authorization", value];
	if (proof !== undefined) {
		headers.dpop = proof;
		rawHeaders.push("DPoP", proof);
	}
	return { method: "GET", url: URL, headers, rawHeaders };
}

/** `crypto.verify` of one proof's signature with its key, as the core would do if it did nothing else. */
function floorOf(key: DpopKey, proof: string): () => boolean {
	const publicKey = createPublicKey({ key: key.publicJwk as Record<string, string>, format: "jwk" });
	const dot = proof.lastIndexOf(".");
	const data = Buffer.from(proof.slice(0, dot));
	const signature = Buffer.from(proof.slice(dot + 1), "base64url");
	return key.alg === "ES256"
		? () => cryptoVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature)
		: () => cryptoVerify(null, data, publicKey, signature);
}

/** Operations per second of `fn` over about `ms`. */
function rateOf(fn: () => unknown, ms: number): number {
	let count = 0;
	const start = performance.now();
	while (performance.now() - start < ms) {
		fn();
		count++;
	}
	return (count * 1000) / (performance.now() - start);
}

/** Runs the cases interleaved; logs progress to stderr. */
export async function runDpopMicro(harness: HarnessOptions): Promise<DpopMicroResult[]> {
	const issuer = await createTestIssuer();
	try {
		const base: VerifierOptions = {
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
		};
		const guardOf = (options: VerifierOptions): GuardCheck =>
			createVerifier({ ...base, ...options }).compileGuard({ permissions: ["read"] });
		const bearerToken = await issuer.sign(TOKEN_CLAIMS);
		const bearerGuard = guardOf({});
		const totalMs = harness.warmupMs + harness.runs * harness.runMs;
		const dpop = async (alg: "ES256" | "Ed25519") => {
			const key = await createDpopKey(alg);
			const token = await issuer.sign(TOKEN_CLAIMS, { dpopKey: key });
			const minter = proofMinter(key, "GET", URL, token);
			const floor = floorOf(key, minter.mint(1)[0] as string);
			// A DPoP request is never faster than its floor: enough proofs for the floor's rate over every
			// run, and a few more. Should they run out anyway, more are signed within the loop (counted).
			const count = Math.ceil((rateOf(floor, 100) * totalMs * 1.3) / 1000) + 2000;
			const started = Date.now();
			let proofs = minter.mint(count);
			process.stderr.write(
				`  dpop micro: minted ${formatCount(count)} ${alg} proofs (${proofs[0]?.length} chars) in ${Date.now() - started} ms\n`,
			);
			let next = 0;
			let topUps = 0;
			// The store sized for every proof of the run: the default (100,000) would be full of live proofs.
			const guard = guardOf({
				dpop: { mode: "allowed", replay: createMemoryReplayStore({ max: 10_000_000 }) },
			});
			const authorization = `DPoP ${token}`;
			const nextRequest = () => {
				if (next === proofs.length) {
					proofs = minter.mint(1000);
					next = 0;
					topUps++;
				}
				return request(authorization, proofs[next++]);
			};
			return { guard, floor, nextRequest, topUps: () => topUps };
		};
		const es256 = await dpop("ES256");
		const ed25519 = await dpop("Ed25519");
		// Warm: the JWKS is fetched, each token enters the cache at its second verification; then every
		// request must be answered synchronously.
		const bearerRequest = () => request(`Bearer ${bearerToken}`);
		const guarded = [
			{ guard: bearerGuard, next: bearerRequest },
			{ guard: es256.guard, next: es256.nextRequest },
			{ guard: ed25519.guard, next: ed25519.nextRequest },
		];
		for (const { guard, next } of guarded) {
			await guard(next(), reader);
			await guard(next(), reader);
			const answer = guard(next(), reader);
			if (answer instanceof Promise || answer?.subject === undefined)
				throw new Error("dpop micro: a cached token was not answered synchronously");
		}
		const cases = [
			{ run: () => bearerGuard(bearerRequest(), reader), async: false },
			{ run: es256.floor, async: false },
			{ run: () => es256.guard(es256.nextRequest(), reader), async: false },
			{ run: ed25519.floor, async: false },
			{ run: () => ed25519.guard(ed25519.nextRequest(), reader), async: false },
		];
		const measured = await measureInterleaved(cases, harness);
		const [bearer, es256Floor, , ed25519Floor] = measured as [
			Measurement,
			Measurement,
			Measurement,
			Measurement,
		];
		const floorOfCase = [undefined, undefined, es256Floor, undefined, ed25519Floor];
		for (const [name, topUps] of [
			["ES256", es256.topUps()],
			["Ed25519", ed25519.topUps()],
		] as const) {
			if (topUps > 0)
				process.stderr.write(`  dpop micro: ${name} proofs ran out ${topUps} times (signed in the loop)\n`);
		}
		return DPOP_MICRO_CASES.map((name, index) => {
			const measurement = measured[index] as Measurement;
			const floor = floorOfCase[index];
			const costToBearer = median(measurement.runs.map((ops, round) => (bearer.runs[round] as number) / ops));
			const costToBearerPlusFloor =
				floor === undefined
					? undefined
					: median(
							measurement.runs.map(
								(ops, round) =>
									1 / ops / (1 / (bearer.runs[round] as number) + 1 / (floor.runs[round] as number)),
							),
						);
			const result = {
				case: name,
				...measurement,
				nsPerOp: 1e9 / measurement.opsPerSec,
				costToBearer,
				costToBearerPlusFloor,
			};
			process.stderr.write(
				`  dpop micro ${name}: ${formatCount(result.nsPerOp)} ns/op (${formatRatio(costToBearer)} bearer${costToBearerPlusFloor === undefined ? "" : `, ${formatRatio(costToBearerPlusFloor)} bearer + floor`})\n`,
			);
			return result;
		});
	} finally {
		await issuer.close();
	}
}

/** One row per case: ns per request through the guard, and its cost as a ratio. */
export function dpopMicroTable(results: readonly DpopMicroResult[]): string {
	return markdownTable(
		[
			"authenticate through a RequestReader, per request (RS256 token)",
			"ops/s",
			"ns/op",
			"cost × Bearer",
			"cost × (Bearer + floor)",
		],
		results.map((result) => [
			result.case,
			formatCount(result.opsPerSec),
			formatCount(result.nsPerOp),
			formatRatio(result.costToBearer),
			result.costToBearerPlusFloor === undefined ? "" : formatRatio(result.costToBearerPlusFloor),
		]),
	);
}
