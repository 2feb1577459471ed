/**
 * `@bearerguard/testing`: a real local OAuth 2.0 issuer on loopback (discovery + JWKS over
 * HTTP, a client-credentials token endpoint, RFC 7662 introspection) that mints JWTs, opaque,
 * DPoP-bound and certificate-bound tokens, plus DPoP proofs, test certificates and API keys, for
 * tests, examples and demos.
 *
 * @example
 * ```ts
 * import { createTestIssuer } from "@bearerguard/testing";
 *
 * const issuer = await createTestIssuer({ seed: "my-api-tests" });
 * const token = await issuer.sign({ permissions: ["read"] });
 * ```
 *
 * @packageDocumentation
 */
export { createTestIssuer } from "./create-test-issuer.js";
export { createTestApiKey, generateTestApiKey, hashTestApiKey, isWellFormedApiKey } from "./lib/api-key.js";
export { createTestCertificates } from "./lib/certificates.js";
export { createDpopKey, createDpopProof } from "./lib/dpop.js";
export { certificateThumbprint } from "./lib/thumbprint.js";
export type {
	ApiKeyRecord,
	DpopAlgorithm,
	DpopKey,
	DpopProofOptions,
	IntrospectionClient,
	IntrospectionResponseOptions,
	IssuerDpopProofOptions,
	JwksResponseOptions,
	OpaqueTokenOptions,
	PemKeyPair,
	RotateKeysOptions,
	SignOptions,
	TestAlgorithm,
	TestApiKey,
	TestApiKeyOptions,
	TestCertificates,
	TestCertificatesOptions,
	TestClientCertificate,
	TestDuration,
	TestIssuer,
	TestIssuerOptions,
	TestIssuerRequests,
	TestKey,
} from "./types.js";
