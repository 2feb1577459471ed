/**
 * DPoP proofs (RFC 9449 §4.2) minted in bulk with `node:crypto`, before timing: every DPoP request of
 * the benchmarks needs a proof of its own (a unique `jti`, or the replay store refuses it), and signing
 * one per request inside the timed loop would time the client's signing too. ES256 signs in about
 * 30 µs here, so 10,000 proofs take a third of a second.
 */
import { createHash, KeyObject, randomBytes, sign } from "node:crypto";
import type { DpopKey } from "@bearerguard/testing";

/** Makes proofs for one key, one request (method and URL) and one access token. */
export interface ProofMinter {
	/** The proofs' `alg`. */
	readonly alg: string;
	/** `count` new proofs, each with its own `jti`, `iat` now. */
	mint(count: number): string[];
}

/**
 * A minter of proofs signed with `key` for `method url` and `token` (`ath`). The header (typ, alg, the
 * public `jwk`) is the same text on every proof, as a real client's is; `jti` is a random prefix and a
 * counter, so no two proofs of a minter share one.
 *
 * @example
 * ```ts
 * const minter = proofMinter(await createDpopKey("ES256"), "GET", "http://127.0.0.1:3000/v1/products", token)
 * const [proof] = minter.mint(1) // fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } })
 * ```
 */
export function proofMinter(key: DpopKey, method: string, url: string, token: string): ProofMinter {
	const privateKey = KeyObject.from(key.privateKey);
	const header = Buffer.from(JSON.stringify({ typ: "dpop+jwt", alg: key.alg, jwk: key.publicJwk })).toString(
		"base64url",
	);
	const ath = createHash("sha256").update(token).digest("base64url");
	const prefix = randomBytes(9).toString("base64url");
	const signer =
		key.alg === "ES256"
			? (data: Buffer) => sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" })
			: key.alg === "Ed25519" || key.alg === "EdDSA"
				? (data: Buffer) => sign(null, data, privateKey)
				: undefined;
	if (signer === undefined) throw new Error(`bench: no proof minter for ${key.alg}`);
	let counter = 0;
	return {
		alg: key.alg,
		mint(count) {
			const iat = Math.floor(Date.now() / 1000);
			const proofs: string[] = new Array(count);
			for (let i = 0; i < count; i++) {
				const jti = `${prefix}-${(counter++).toString(36)}`;
				const payload = Buffer.from(JSON.stringify({ jti, htm: method, htu: url, iat, ath })).toString(
					"base64url",
				);
				const input = `${header}.${payload}`;
				proofs[i] = `${input}.${signer(Buffer.from(input)).toString("base64url")}`;
			}
			return proofs;
		},
	};
}
