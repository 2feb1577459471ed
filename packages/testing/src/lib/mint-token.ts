import { randomUUID } from "node:crypto";
import { type JWTHeaderParameters, SignJWT } from "jose";
import type { SignOptions, TestAlgorithm, TestKey } from "../types.js";
import { confirmationClaim } from "./binding.js";
import { toSeconds } from "./durations.js";
import type { KeyStore } from "./key-store.js";
import { isSymmetric, isTestAlgorithm } from "./options.js";

/** What {@link mintToken} needs from the issuer. */
export interface MintContext {
	readonly issuer: string;
	readonly audience: string;
	readonly algorithms: readonly TestAlgorithm[];
	readonly keys: KeyStore;
}

const DEFAULT_LIFETIME = 3600;

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Picks the algorithm and key to sign with.
 *
 * @throws TypeError for an unknown algorithm, or an asymmetric one the issuer was not created with
 * @example
 * ```ts
 * signingKeyFor(context, "HS256"); // { alg: 'HS256', key: <secret>, kid: undefined }
 * ```
 */
export function signingKeyFor(
	context: MintContext,
	alg: TestAlgorithm | undefined,
	kind: "public" | "private" = "private",
): { alg: TestAlgorithm; key: TestKey; kid: string | undefined } {
	const chosen = alg ?? context.algorithms[0];
	if (!isTestAlgorithm(chosen)) throw new TypeError(`Unsupported algorithm: ${String(chosen)}.`);
	if (isSymmetric(chosen)) return { alg: chosen, key: context.keys.secretKey, kid: undefined };
	const entry = context.keys.current(chosen);
	if (!entry) {
		throw new TypeError(`The test issuer has no ${chosen} key; add it to the algorithms option.`);
	}
	return { alg: chosen, key: kind === "public" ? entry.publicKey : entry.privateKey, kid: entry.kid };
}

function buildClaims(context: MintContext, claims: Record<string, unknown>, options: SignOptions) {
	const now = Math.floor(Date.now() / 1000);
	const { expiresIn = DEFAULT_LIFETIME, notBefore, iat = now } = options;
	if (!Number.isFinite(iat)) throw new TypeError("iat must be a finite number of seconds since the epoch.");
	const exp = expiresIn === null || expiresIn === false ? undefined : now + toSeconds(expiresIn, "expiresIn");
	const nbf = notBefore === undefined ? undefined : now + toSeconds(notBefore, "notBefore");
	return withoutUndefined({
		iss: context.issuer,
		sub: "user_123",
		aud: context.audience,
		iat,
		nbf,
		exp,
		jti: randomUUID(),
		cnf: confirmationClaim(options),
		...claims,
	});
}

/**
 * Signs a JWT with the issuer's current key for the chosen algorithm.
 *
 * Claims default to `iss`, `sub: 'user_123'`, `aud`, `iat` (now), `exp` (now + 3600 s) and a
 * random `jti` (and `cnf` when `dpopKey`, `certificate` or `cnf` binds the token); the given
 * claims override them and a claim set to `undefined` is removed. The header is `{ alg, kid }`
 * merged with `options.header`.
 *
 * @throws TypeError for bad options (see {@link SignOptions})
 * @example
 * ```ts
 * const token = await mintToken(context, { scope: "read" }, { expiresIn: "10m" });
 * ```
 */
export async function mintToken(
	context: MintContext,
	claims: Record<string, unknown> = {},
	options: SignOptions = {},
): Promise<string> {
	if (!isRecord(claims)) throw new TypeError("claims must be a plain object.");
	if (options.header !== undefined && !isRecord(options.header)) {
		throw new TypeError("header must be a plain object.");
	}
	const { alg, key, kid } = signingKeyFor(context, options.alg);
	const header = withoutUndefined({ alg, kid: options.kid ?? kid, ...options.header });
	const crit = Array.isArray(header.crit)
		? Object.fromEntries(header.crit.filter((name) => typeof name === "string").map((name) => [name, true]))
		: undefined;
	return new SignJWT(buildClaims(context, claims, options))
		.setProtectedHeader(header as JWTHeaderParameters)
		.sign(key, crit ? { crit } : undefined);
}
