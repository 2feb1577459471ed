/**
 * The claims of every benchmark token, besides the issuer's defaults (`iss`, `sub`, `aud`, `iat`,
 * `exp`, `jti`): what an access token of the APIs in the spec carries. An RS256 token is ~800 bytes.
 */
export const TOKEN_CLAIMS = {
	org_id: "org_7Hk2pQ9xLm3vR8sT",
	azp: "client_4f8b2c1d9e7a6b5c",
	gty: "client-credentials",
	scope: "read write",
	permissions: ["read", "write"],
} as const;
