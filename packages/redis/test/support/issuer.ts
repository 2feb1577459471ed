/** Tokens verified for real, so a test hands `isRevoked` the `auth` the verifier would. */
import { type AuthResult, createVerifier } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";

export interface Verified {
	readonly issuer: TestIssuer;
	/** Signs `claims` (a claim set to `undefined` is left out) and verifies the token. */
	auth(claims?: Record<string, unknown>): Promise<AuthResult>;
	close(): Promise<void>;
}

export async function verifiedTokens(): Promise<Verified> {
	const issuer = await createTestIssuer();
	const verifier = createVerifier({
		issuer: issuer.issuer,
		audience: issuer.audience,
		tokenCache: false,
		requireExpiry: false,
	});
	return {
		issuer,
		auth: async (claims = {}) => verifier.verify(await issuer.sign(claims)),
		close: () => issuer.close(),
	};
}

/** Unix seconds now. */
export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** Polls `condition` every 2 ms until it holds; resolves the milliseconds it took, rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<number> {
	const started = performance.now();
	while (!condition()) {
		if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	return performance.now() - started;
}
