/**
 * Micro benchmark of the credentials besides JWTs, in one process: what one request costs the guard
 * (`authenticate`: read the credential, verify it, check the permission) on a cached bearer JWT (RS256),
 * an opaque token whose introspection answer is cached, and an API key (listed, or found by a cached
 * `lookup`). Each is reported as a ratio to the cached JWT, measured in the same rounds.
 */
import { createVerifier, type GuardCheck, generateApiKey, type VerifierOptions } from "@bearerguard/core";
import { createTestIssuer } from "@bearerguard/testing";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { type HarnessOptions, type Measurement, measureInterleaved, ratioOfRuns } from "./lib/harness.js";
import { formatCount, formatRatio, markdownTable } from "./lib/table.js";

/** The cases, in the order of the table; the first is the baseline of the ratios. */
export const CREDENTIAL_CASES = [
	"bearer JWT (RS256), token cache hit",
	"opaque token, introspection cache hit",
	"API key, static list",
	"API key, lookup cache hit",
] as const;
type CredentialCase = (typeof CREDENTIAL_CASES)[number];

export interface CredentialMicroResult extends Measurement {
	readonly case: CredentialCase;
	/** The median over the rounds of ops/s divided by the cached JWT's in the same round. */
	readonly ratioToJwtHit: number;
}

/**
 * A request whose header value is a new string each time, as each request's parsing yields one: its
 * hash is not cached yet, so every Map lookup on it hashes it afresh.
 */
function freshRequest(name: string, value: string): () => { headers: Record<string, string> } {
	const padded = ` ${value}`;
	return () => ({ headers: { [name]: padded.slice(1) } });
}

/** Runs the four cases interleaved; logs progress to stderr. */
export async function runCredentialMicro(harness: HarnessOptions): Promise<CredentialMicroResult[]> {
	const issuer = await createTestIssuer();
	try {
		const base: VerifierOptions = {
			issuer: issuer.issuer,
			audience: issuer.audience,
			jwksUri: issuer.jwksUri,
		};
		const jwt = await issuer.sign(TOKEN_CLAIMS);
		const opaque = issuer.issueOpaqueToken({ scope: "read write", org_id: TOKEN_CLAIMS.org_id });
		const listed = generateApiKey();
		const looked = generateApiKey();
		const record = (hash: string) => ({ hash, subject: "svc_reports", permissions: ["read", "write"] });
		const guard = (options: VerifierOptions): GuardCheck =>
			createVerifier({ ...base, ...options }).compileGuard({ permissions: ["read"] });
		const cases: {
			name: CredentialCase;
			guard: GuardCheck;
			request: () => { headers: Record<string, string> };
		}[] = [
			{
				name: "bearer JWT (RS256), token cache hit",
				guard: guard({}),
				request: freshRequest("authorization", `Bearer ${jwt}`),
			},
			{
				name: "opaque token, introspection cache hit",
				guard: guard({
					introspection: { ...issuer.introspectionClient, endpoint: issuer.introspectionEndpoint },
				}),
				request: freshRequest("authorization", `Bearer ${opaque}`),
			},
			{
				name: "API key, static list",
				guard: guard({ apiKeys: { keys: [record(listed.hash)] } }),
				request: freshRequest("x-api-key", listed.key),
			},
			{
				name: "API key, lookup cache hit",
				guard: guard({
					apiKeys: { lookup: async (hash) => (hash === looked.hash ? record(hash) : undefined) },
				}),
				request: freshRequest("x-api-key", looked.key),
			},
		];
		// Warm: the JWKS, the introspection call and the lookup happen here; a JWT enters the token cache
		// at its second verification. Then every case must answer synchronously, from its cache.
		for (const each of cases) {
			await each.guard(each.request());
			await each.guard(each.request());
			const answer = each.guard(each.request());
			if (answer instanceof Promise || answer?.subject === undefined) {
				throw new Error(`credentials micro: "${each.name}" did not answer synchronously from its cache`);
			}
		}
		const measurements = await measureInterleaved(
			cases.map((each) => ({ run: () => each.guard(each.request()), async: false })),
			harness,
		);
		const baseline = measurements[0] as Measurement;
		return cases.map((each, index) => {
			const measurement = measurements[index] as Measurement;
			const ratioToJwtHit = ratioOfRuns(measurement, baseline);
			process.stderr.write(
				`  credentials ${each.name}: ${formatCount(measurement.opsPerSec)} ops/s (${formatRatio(ratioToJwtHit)})\n`,
			);
			return { case: each.name, ...measurement, ratioToJwtHit };
		});
	} finally {
		await issuer.close();
	}
}

/** One row per case: requests per second through the guard, and the ratio to the cached JWT. */
export function credentialMicroTable(results: readonly CredentialMicroResult[]): string {
	return markdownTable(
		["authenticate (credential + verify + permission), per request", "ops/s", "× bearer JWT cache hit"],
		results.map((result) => [result.case, formatCount(result.opsPerSec), formatRatio(result.ratioToJwtHit)]),
	);
}
