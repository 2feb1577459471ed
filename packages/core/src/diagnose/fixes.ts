import type { ErrorReason } from "../http/errors.js";

/**
 * What to fix for each refusal `reason`, in one sentence: the README's troubleshooting table, and what
 * `verifier.diagnose()` and `bearerguard inspect` print beside a failed check.
 *
 * @example
 * ```ts
 * FIXES.audience_mismatch // 'Ask the issuer for a token for this API's audience, or add its aud to "audience".'
 * ```
 */
export const FIXES: Readonly<Partial<Record<ErrorReason, string>>> = Object.freeze({
	authorization_malformed:
		"Send exactly `Bearer <token>`: one scheme, spaces (not tabs), one token, no trailing comma or quotes.",
	authorization_duplicated: "Send one Authorization header, not two.",
	token_in_several_places: "Send the token in one place only (header, query or body).",
	organization_invalid:
		'The token needs an organization claim of the configured shape ("organization.claim", "organization.pattern").',
	organization_mismatch: "The organization header must equal the token's organization claim.",
	token_missing: "Send `Authorization: Bearer <token>`; Basic and other schemes are not read.",
	token_too_long:
		'The token is longer than "maxTokenLength" (8192): ask the issuer for fewer claims, or raise the option.',
	token_malformed:
		"Send the whole token as the issuer gave it: a compact JWS of three base64url parts with JSON header and payload (not a JWE, no padding, no quotes, nothing cut off).",
	alg_not_allowed:
		'Add the token\'s alg to "algorithms", or ask the issuer to sign with an allowed one. HS256 tokens need "secret"; none is never allowed.',
	crit_unsupported:
		"The token uses crit or b64 header extensions, which are not supported: ask the issuer not to.",
	typ_mismatch:
		'With "typ" set, the token must carry that typ (for at+jwt, an RFC 9068 access token, not an ID token).',
	kid_unknown:
		"No key in the issuer's JWKS matches the token's kid and algorithm: rotated keys, another tenant, or a use: enc or weak key (run `bearerguard jwks <issuer>`).",
	signature_invalid:
		"The signature does not verify: a token of another issuer or environment, a token edited or cut short, or a different secret.",
	claim_invalid:
		"A registered claim has the wrong JSON type (exp as a string, aud as an object, permissions holding non-strings), or a claim RFC 9068 requires is missing.",
	issuer_mismatch: 'iss must equal one configured "issuer" exactly (watch the trailing slash).',
	audience_mismatch: 'Ask the issuer for a token for this API\'s audience, or add its aud to "audience".',
	token_expired: 'Get a new token. If it should still be valid, check the clocks ("clockTolerance").',
	expiry_missing: 'The token has no exp: set "requireExpiry: false" for never-expiring personal tokens.',
	not_yet_valid: "nbf is in the future: check the clocks of the issuer and this server.",
	token_too_old: 'iat is older than "maxTokenAge": get a new token, or raise the option.',
	issued_in_future: "iat is in the future: check the clocks of the issuer and this server.",
	validation_failed: "Your validate function refused the token.",
	revoked: "isRevoked says the token is revoked: get a new one.",
	insufficient_scope: "Ask for a token with the permissions the route requires.",
	discovery_failed:
		'The issuer\'s metadata could not be fetched (network, TLS, a 404, a redirect, a body over 1 MiB): check the issuer URL, or set "jwksUri".',
	discovery_issuer_mismatch:
		'The metadata names another issuer: set "issuer" to exactly the value the metadata and your tokens use (trailing slash?).',
	jwks_unavailable:
		'The JWKS could not be fetched (network, TLS, a 404, a redirect, a body over 1 MiB, not a JWKS): check the issuer or "jwksUri".',
	revocation_check_failed: "Your isRevoked threw: check the store it reads.",
	several_credentials:
		"Send one credential: an API key (x-api-key) or a bearer token (Authorization), not both, and one key in one place.",
	api_key_malformed:
		'Send the whole key as it was issued (bgk_ and 49 characters); a key of another format needs "apiKeys.format".',
	api_key_unknown:
		"No stored key has this key's hash: a revoked or mistyped key, or a record missing from \"apiKeys.keys\" or your lookup's store.",
	api_key_expired:
		"The key's record has expired (expiresAt): issue a new key, or better, move the client to OAuth.",
	token_inactive:
		"The authorization server says the token is not active: expired, revoked, or not one of its tokens. Get a new token.",
	api_key_lookup_failed:
		'Your apiKeys.lookup threw, answered a malformed record, or took longer than "apiKeys.timeout".',
	introspection_failed:
		'The introspection endpoint could not be had (network, TLS, a non-200 such as 401 for wrong client credentials, a body over 64 KiB, not an RFC 7662 answer, over "introspection.timeout"), or the metadata names none.',
	token_dpop_bound:
		'The token is DPoP-bound (cnf.jkt): send it as `Authorization: DPoP <token>` with a `DPoP` proof, and configure "dpop".',
	token_not_dpop_bound:
		"The token has no cnf.jkt: send it as `Authorization: Bearer <token>`, or ask the issuer for a DPoP-bound token (a DPoP proof at the token endpoint).",
	token_certificate_bound:
		'The token is bound to a client certificate (cnf["x5t#S256"]): configure "mtls" and call over mutual TLS.',
	token_not_certificate_bound:
		'"mtls.required" refuses tokens without cnf["x5t#S256"]: get the token over mutual TLS at the token endpoint.',
	certificate_missing:
		'Present the client certificate the token is bound to (TLS client authentication, or the header of "mtls.certificate" set by your proxy).',
	certificate_mismatch:
		"Present the client certificate the token was issued to, or get a token with this certificate.",
	dpop_proof_missing: "Send one `DPoP` header with a proof beside `Authorization: DPoP <token>`.",
	dpop_proof_duplicated: "Send one `DPoP` header, not two.",
	dpop_proof_malformed:
		"The proof must be a compact JWS (at most 8192 characters) with string jti (at most 256), htm and htu and a numeric iat.",
	dpop_proof_typ: "The proof's header needs typ: dpop+jwt.",
	dpop_proof_alg:
		'Sign the proof with an asymmetric alg of "dpop.algorithms" (ES256 by default among others).',
	dpop_proof_key:
		"The proof's header needs the public jwk of its key (no private members; RSA of at least 2048 bits), matching alg.",
	dpop_proof_signature: "Sign the proof with the private key of the jwk in its header.",
	dpop_proof_htm: "The proof's htm must be this request's method.",
	dpop_proof_htu:
		"The proof's htu must be this request's URL without query: behind a proxy, let the framework trust it (trust proxy) so it sees the public scheme and host.",
	dpop_proof_expired:
		'Make a fresh proof for each request (iat older than "dpop.proofMaxAge"); check the client\'s clock.',
	dpop_proof_future: "The proof's iat is in the future: check the client's clock.",
	dpop_proof_ath: "The proof's ath must be the base64url SHA-256 of the access token sent with it.",
	dpop_proof_jkt: "Sign the proof with the key the token is bound to (its cnf.jkt).",
	dpop_proof_replayed: "Make a new proof (a new jti) for every request.",
	dpop_nonce_required: "Retry with the nonce of the DPoP-Nonce header in the proof's nonce claim.",
	dpop_nonce_invalid: "Retry with the nonce of the latest DPoP-Nonce header.",
	replay_check_failed:
		'The replay store ("dpop.replay") failed or is full: check Redis, or the in-memory store\'s size.',
});
