/**
 * Micro benchmark: verifications per second of one token, in one process, for RS256, PS256, ES256,
 * EdDSA and HS256. Every case verifies the same kind of token with the same key; the floor is
 * `node:crypto` alone on the token's signing input, and every other case is reported as a ratio to it.
 */
import {
	constants,
	createHmac,
	verify as cryptoVerify,
	KeyObject,
	timingSafeEqual,
	type webcrypto,
} from "node:crypto";
import { createAuthenticator, createVerifier, type VerifierOptions } from "@bearerguard/core";
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from "@bearerguard/testing";
import { createVerifier as createFastJwtVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { type HarnessOptions, type Measurement, measureInterleaved, ratioOfRuns } from "./lib/harness.js";
import { formatCount, formatRatio, markdownTable } from "./lib/table.js";

export const MICRO_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA", "HS256"] as const;
type MicroAlgorithm = (typeof MICRO_ALGORITHMS)[number];

/** The cases, in the order of the table. */
export const MICRO_CASES = [
	"node:crypto floor",
	"floor + decoding (base64url + JSON.parse), the least any JWT verifier does",
	"bearerguard verify, cache hit (same string object)",
	"bearerguard verify, cache hit (fresh string, as per request)",
	"bearerguard authenticate (header + verify + permissions), cache hit",
	"bearerguard verify, cache miss (tokenCache: false)",
	"bearerguard verify, cache miss (pool of 256 > cache of 128)",
	"jose jwtVerify",
	"fast-jwt, cache on",
	"fast-jwt, cache off",
] as const;
type MicroCase = (typeof MICRO_CASES)[number];

export interface MicroResult extends Measurement {
	readonly alg: MicroAlgorithm;
	readonly case: MicroCase;
	/** The median over the rounds of ops/s divided by the floor's of the same algorithm in the same round. */
	readonly ratioToFloor: number;
}

/** The pool that defeats a cache of `POOL_CACHE_MAX` entries: cycled in order, every lookup misses. */
const POOL_SIZE = 256;
const POOL_CACHE_MAX = 128;

const HASHES: Record<MicroAlgorithm, string | null> = {
	RS256: "sha256",
	PS256: "sha256",
	ES256: "sha256",
	EdDSA: null,
	HS256: "sha256",
};

/** The bare signature check, as our core would do it if it did nothing else. */
function floorFor(alg: MicroAlgorithm, issuer: TestIssuer, token: string): () => boolean {
	const dot = token.lastIndexOf(".");
	const data = Buffer.from(token.slice(0, dot));
	const signature = Buffer.from(token.slice(dot + 1), "base64url");
	const hash = HASHES[alg];
	if (alg === "HS256") {
		const secret = Buffer.from(issuer.secret);
		return () => timingSafeEqual(createHmac("sha256", secret).update(data).digest(), signature);
	}
	const key = KeyObject.from(issuer.publicKey(alg) as webcrypto.CryptoKey);
	if (alg === "PS256") {
		const pss = {
			key,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
		};
		return () => cryptoVerify(hash, data, pss, signature);
	}
	if (alg === "ES256") {
		const ecdsa = { key, dsaEncoding: "ieee-p1363" as const };
		return () => cryptoVerify(hash, data, ecdsa, signature);
	}
	return () => cryptoVerify(hash, data, key, signature);
}

/**
 * The floor plus the decoding no JWT verifier can skip: split the token, base64url-decode its three
 * parts and parse the header and payload JSON. What bounds any verifier's cache-miss ratio.
 */
function decodingFloorFor(alg: MicroAlgorithm, issuer: TestIssuer, token: string): () => boolean {
	const check = floorFor(alg, issuer, token);
	let parsed: unknown;
	return () => {
		const first = token.indexOf(".");
		const second = token.indexOf(".", first + 1);
		parsed = JSON.parse(Buffer.from(token.slice(0, first), "base64url").toString("utf8"));
		parsed = JSON.parse(Buffer.from(token.slice(first + 1, second), "base64url").toString("utf8"));
		Buffer.from(token.slice(second + 1), "base64url");
		Buffer.from(token.slice(0, second), "latin1");
		return parsed !== undefined && check();
	};
}

/** fast-jwt's key: the PEM of the public key, or the shared secret. */
function pemFor(alg: MicroAlgorithm, issuer: TestIssuer): string {
	if (alg === "HS256") return issuer.secret;
	return KeyObject.from(issuer.publicKey(alg) as webcrypto.CryptoKey)
		.export({ type: "spki", format: "pem" })
		.toString();
}

type Check = (value: unknown) => boolean;
const isTrue: Check = (value) => value === true;
const hasSubject: Check = (value) => (value as { sub?: string } | undefined)?.sub === "user_123";
const authHasSubject: Check = (value) => (value as { subject?: string } | undefined)?.subject === "user_123";

interface Case {
	readonly name: MicroCase;
	readonly run: () => unknown;
	readonly async: boolean;
	/** Checked once before timing: a benchmark of a failing verification would be meaningless. */
	readonly check: Check;
}

async function casesFor(alg: MicroAlgorithm, issuer: TestIssuer): Promise<Case[]> {
	const token = await issuer.sign(TOKEN_CLAIMS, { alg });
	const pool = await Promise.all(Array.from({ length: POOL_SIZE }, () => issuer.sign(TOKEN_CLAIMS, { alg })));
	const base: VerifierOptions =
		alg === "HS256"
			? { issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret }
			: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
	const cached = createVerifier(base);
	const uncached = createVerifier({ ...base, tokenCache: false });
	const small = createVerifier({ ...base, tokenCache: { max: POOL_CACHE_MAX } });
	// The adapters' per-request call: header extraction, verification, the permission check.
	const { authenticate } = createAuthenticator({ ...base, permissions: ["read"] }, {});
	const request = { headers: { authorization: `Bearer ${token}` } };
	// A new string with the token's characters, as each request's header parsing yields one: unlike a
	// string used before, its hash is not cached yet, so a Map lookup must hash all ~800 characters.
	const fresh = () => request.headers.authorization.slice(7);
	// Pre-warm: the JWKS fetch and key import happen here, outside the timed loops.
	await Promise.all([cached.verify(token), uncached.verify(token), small.verify(token)]);

	const joseKey = issuer.publicKey(alg);
	const joseOptions = { issuer: issuer.issuer, audience: issuer.audience, algorithms: [alg] };
	const fastJwtOptions = {
		key: pemFor(alg, issuer),
		algorithms: [alg],
		allowedIss: issuer.issuer,
		allowedAud: issuer.audience,
	};
	const fastJwtCached = createFastJwtVerifier({ ...fastJwtOptions, cache: true });
	const fastJwtUncached = createFastJwtVerifier({ ...fastJwtOptions, cache: false });
	let next = 0;

	return [
		{ name: "node:crypto floor", run: floorFor(alg, issuer, token), async: false, check: isTrue },
		{
			name: "floor + decoding (base64url + JSON.parse), the least any JWT verifier does",
			run: decodingFloorFor(alg, issuer, token),
			async: false,
			check: isTrue,
		},
		{
			name: "bearerguard verify, cache hit (same string object)",
			run: () => cached.verify(token),
			async: true,
			check: authHasSubject,
		},
		{
			name: "bearerguard verify, cache hit (fresh string, as per request)",
			run: () => cached.verify(fresh()),
			async: true,
			check: authHasSubject,
		},
		{
			name: "bearerguard authenticate (header + verify + permissions), cache hit",
			run: () => authenticate(request),
			async: true,
			check: authHasSubject,
		},
		{
			name: "bearerguard verify, cache miss (tokenCache: false)",
			run: () => uncached.verify(fresh()),
			async: true,
			check: authHasSubject,
		},
		{
			name: "bearerguard verify, cache miss (pool of 256 > cache of 128)",
			run: () => small.verify(pool[next++ % POOL_SIZE] as string),
			async: true,
			check: authHasSubject,
		},
		{
			name: "jose jwtVerify",
			run: async () => (await jwtVerify(fresh(), joseKey, joseOptions)).payload,
			async: true,
			check: hasSubject,
		},
		{ name: "fast-jwt, cache on", run: () => fastJwtCached(fresh()), async: false, check: hasSubject },
		{ name: "fast-jwt, cache off", run: () => fastJwtUncached(fresh()), async: false, check: hasSubject },
	];
}

/** Runs every case for every algorithm, the cases of an algorithm interleaved; logs progress to stderr. */
export async function runMicro(harness: HarnessOptions): Promise<MicroResult[]> {
	const issuer = await createTestIssuer({ algorithms: [...MICRO_ALGORITHMS] as TestAlgorithm[] });
	const results: MicroResult[] = [];
	try {
		for (const alg of MICRO_ALGORITHMS) {
			const cases = await casesFor(alg, issuer);
			for (const benchCase of cases) {
				const first = await benchCase.run();
				if (!benchCase.check(first)) throw new Error(`micro: "${benchCase.name}" (${alg}) did not verify`);
			}
			const measurements = await measureInterleaved(cases, harness);
			const floor = measurements[cases.findIndex((c) => c.name === "node:crypto floor")] as Measurement;
			for (const [index, benchCase] of cases.entries()) {
				const measurement = measurements[index] as Measurement;
				const ratioToFloor = ratioOfRuns(measurement, floor);
				results.push({ alg, case: benchCase.name, ...measurement, ratioToFloor });
				process.stderr.write(
					`  micro ${alg} ${benchCase.name}: ${formatCount(measurement.opsPerSec)} ops/s (${formatRatio(ratioToFloor)})\n`,
				);
			}
		}
	} finally {
		await issuer.close();
	}
	return results;
}

/** One row per case, one column per algorithm: `ops/s (ratio to floor)`. */
export function microTable(results: readonly MicroResult[]): string {
	const rows = MICRO_CASES.map((name) => [
		name,
		...MICRO_ALGORITHMS.map((alg) => {
			const result = results.find((r) => r.alg === alg && r.case === name);
			return result ? `${formatCount(result.opsPerSec)} (${formatRatio(result.ratioToFloor)})` : "n/a";
		}),
	]);
	return markdownTable(["ops/s (ratio to the floor)", ...MICRO_ALGORITHMS], rows);
}
