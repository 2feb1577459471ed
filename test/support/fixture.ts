import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";

/** The issuers the HTTP cases need, all real, on loopback. */
export interface Fixture {
	/** The app's issuer (RS256, discovery). */
	readonly main: TestIssuer;
	/** Another issuer: its keys are unknown to the app. */
	readonly other: TestIssuer;
	/** An issuer without discovery documents, reachable only through `BEARERGUARD_JWKS_URI`. */
	readonly jwksOnly: TestIssuer;
	/** An HS256 issuer, trusted through `BEARERGUARD_SECRET`. */
	readonly hs: TestIssuer;
	/** An issuer that was closed before any request reached the apps, and a token it minted. */
	readonly down: { readonly issuer: string; readonly audience: string; readonly token: string };
	close(): Promise<void>;
}

/** The audience of every issuer's tokens, as the SPEC's seed API has it. */
export const AUDIENCE = "https://api.apiera.io";

/**
 * Starts the issuers of the HTTP cases; the `down` one is closed before this returns.
 *
 * @example
 * ```ts
 * const fx = await startFixture(); afterAll(fx.close)
 * ```
 */
export async function startFixture(): Promise<Fixture> {
	const [main, other, jwksOnly, hs, gone] = await Promise.all([
		createTestIssuer({ audience: AUDIENCE }),
		createTestIssuer({ audience: AUDIENCE }),
		createTestIssuer({ audience: AUDIENCE, discovery: "none" }),
		createTestIssuer({ audience: AUDIENCE, algorithms: ["HS256"] }),
		createTestIssuer({ audience: AUDIENCE }),
	]);
	const down = { issuer: gone.issuer, audience: gone.audience, token: await gone.sign() };
	await gone.close();
	return {
		main,
		other,
		jwksOnly,
		hs,
		down,
		close: async () => {
			await Promise.all([main.close(), other.close(), jwksOnly.close(), hs.close()]);
		},
	};
}
