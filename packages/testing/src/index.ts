/**
 * `@bearerguard/testing`: a real local OAuth 2.0 issuer on loopback (discovery + JWKS over
 * HTTP, a client-credentials token endpoint) that mints tokens, for tests, examples and demos.
 *
 * @example
 * ```ts
 * import { createTestIssuer } from "@bearerguard/testing";
 *
 * const issuer = await createTestIssuer();
 * const token = await issuer.sign({ permissions: ["read"] });
 * ```
 *
 * @packageDocumentation
 */
export { createTestIssuer } from "./create-test-issuer.js";
export type {
	JwksResponseOptions,
	RotateKeysOptions,
	SignOptions,
	TestAlgorithm,
	TestDuration,
	TestIssuer,
	TestIssuerOptions,
	TestIssuerRequests,
	TestKey,
} from "./types.js";
