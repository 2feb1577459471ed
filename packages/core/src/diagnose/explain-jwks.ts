/**
 * `explainJwks(document)`: what bearerguard makes of a JWKS, key by key: whether it will verify with
 * it (decided by the same code that reads a fetched JWKS) and everything wrong with it (weak or huge
 * RSA, a missing or duplicate `kid`, `use: enc`, private material, an `alg` that does not fit).
 */
import type { JWK } from "jose";
import { ASYMMETRIC_ALGORITHMS } from "../config/options.js";
import { candidates, keyFor, MAX_RSA_BITS, MIN_RSA_BITS, PRIVATE_MEMBERS, toJwksKeys } from "../keys/jwk.js";
import type { Algorithm } from "../types.js";

/** What can be wrong with a JWKS or one of its keys. */
export type JwkProblemCode =
	| "not_a_jwks"
	| "no_usable_keys"
	| "not_an_object"
	| "kty_unknown"
	| "symmetric_key"
	| "private_key"
	| "use_not_sig"
	| "key_ops_without_verify"
	| "kid_missing"
	| "kid_not_string"
	| "kid_duplicate"
	| "alg_mismatch"
	| "rsa_too_small"
	| "rsa_too_large"
	| "rsa_exponent"
	| "unimportable";

/** One problem: `error` (the key cannot be used, or is dangerous) or `warning` (it works, but see). */
export interface JwkProblem {
	readonly code: JwkProblemCode;
	readonly severity: "error" | "warning";
	readonly message: string;
}

/** One member of `keys`. */
export interface JwkReport {
	/** Its position in `keys`. */
	readonly index: number;
	readonly kid: string | undefined;
	readonly kty: string | undefined;
	readonly alg: string | undefined;
	readonly use: string | undefined;
	readonly crv: string | undefined;
	/** The RSA modulus size, in bits. */
	readonly bits: number | undefined;
	/** The algorithms bearerguard will verify with it (none: the key is ignored). */
	readonly algorithms: readonly Algorithm[];
	readonly problems: readonly JwkProblem[];
}

/**
 * What bearerguard makes of a JWKS document.
 *
 * @example
 * ```ts
 * const report = await explainJwks(await (await fetch(jwksUri)).json())
 * report.usable // 2
 * ```
 */
export interface JwksReport {
	/** Signing keys bearerguard will use. */
	readonly usable: number;
	readonly keys: readonly JwkReport[];
	/** Problems of the document as a whole (not a JWKS, no usable key). */
	readonly problems: readonly JwkProblem[];
}

const ALGORITHMS = ASYMMETRIC_ALGORITHMS;

const error = (code: JwkProblemCode, message: string): JwkProblem => ({ code, severity: "error", message });
const warning = (code: JwkProblemCode, message: string): JwkProblem => ({
	code,
	severity: "warning",
	message,
});

function unsigned(value: unknown): Buffer | undefined {
	if (typeof value !== "string" || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
	const bytes = Buffer.from(value, "base64url");
	let start = 0;
	while (start < bytes.length - 1 && bytes[start] === 0) start++;
	return bytes.subarray(start);
}

function rsaProblems(jwk: JWK): { bits: number | undefined; problems: JwkProblem[] } {
	const modulus = unsigned(jwk.n);
	const exponent = unsigned(jwk.e);
	if (modulus === undefined || exponent === undefined) {
		return { bits: undefined, problems: [error("unimportable", "n or e is missing or not base64url")] };
	}
	const bits = (modulus.length - 1) * 8 + (modulus[0] as number).toString(2).length;
	const problems: JwkProblem[] = [];
	if (bits < MIN_RSA_BITS)
		problems.push(
			error(
				"rsa_too_small",
				`an RSA key of ${bits} bits: under ${MIN_RSA_BITS}, too weak (RFC 7518 §3.3), ignored`,
			),
		);
	if (bits > MAX_RSA_BITS)
		problems.push(
			error(
				"rsa_too_large",
				`an RSA key of ${bits} bits: over ${MAX_RSA_BITS}, refused (each verification would cost too much)`,
			),
		);
	const e = BigInt(`0x${exponent.toString("hex") || "0"}`);
	if (e < 3n || e % 2n === 0n || e > 2n ** 32n) {
		problems.push(
			error(
				"rsa_exponent",
				`the RSA exponent ${e > 2n ** 32n ? "is over 2^32" : `is ${e}`}: only small odd exponents (65537) are accepted`,
			),
		);
	}
	return { bits, problems };
}

/** The problems a member's shape shows, whatever bearerguard decides. */
function shapeProblems(jwk: JWK): JwkProblem[] {
	const problems: JwkProblem[] = [];
	const privateMembers = PRIVATE_MEMBERS.filter((member) => member in jwk);
	if (jwk.kty === "oct")
		problems.push(
			error("symmetric_key", "a symmetric (oct) key: a shared secret published in a JWKS, ignored"),
		);
	else if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP")
		problems.push(error("kty_unknown", `kty ${JSON.stringify(jwk.kty)} is not RSA, EC or OKP: ignored`));
	if (privateMembers.length > 0 && jwk.kty !== "oct")
		problems.push(
			error(
				"private_key",
				`private key material (${privateMembers.join(", ")}) is published: rotate this key now; it is ignored`,
			),
		);
	if (jwk.use !== undefined && jwk.use !== "sig")
		problems.push(
			warning("use_not_sig", `use ${JSON.stringify(jwk.use)}: not a signing key, ignored for signatures`),
		);
	if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify")))
		problems.push(warning("key_ops_without_verify", 'key_ops without "verify": ignored for signatures'));
	if (jwk.kid === undefined)
		problems.push(
			warning(
				"kid_missing",
				"no kid: tokens are matched to it by algorithm alone, and a rotation cannot be told apart",
			),
		);
	else if (typeof jwk.kid !== "string")
		problems.push(error("kid_not_string", "kid is not a string: ignored"));
	return problems;
}

/** The algorithms a key could serve: its own `alg`, else every one its type fits. */
function algorithmsToTry(jwk: JWK): Algorithm[] {
	return typeof jwk.alg === "string" && (ALGORITHMS as readonly string[]).includes(jwk.alg)
		? [jwk.alg as Algorithm]
		: [...ALGORITHMS];
}

async function explainKey(value: unknown, index: number): Promise<JwkReport> {
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		const problems = [error("not_an_object", "not a JSON object: ignored")];
		return {
			index,
			kid: undefined,
			kty: undefined,
			alg: undefined,
			use: undefined,
			crv: undefined,
			bits: undefined,
			algorithms: [],
			problems,
		};
	}
	const jwk = value as JWK;
	const problems = shapeProblems(jwk);
	const rsa = jwk.kty === "RSA" ? rsaProblems(jwk) : { bits: undefined, problems: [] };
	problems.push(...rsa.problems);
	const kept = toJwksKeys([jwk]);
	const algorithms: Algorithm[] = [];
	for (const alg of algorithmsToTry(jwk)) {
		const [key] = candidates(kept, alg, typeof jwk.kid === "string" ? jwk.kid : undefined);
		if (key !== undefined && (await keyFor(key, alg)) !== undefined) algorithms.push(alg);
	}
	if (
		typeof jwk.alg === "string" &&
		kept.length === 1 &&
		algorithms.length === 0 &&
		!problems.some((p) => p.severity === "error")
	) {
		const fits = ALGORITHMS.some((alg) => alg === jwk.alg);
		problems.push(
			error(
				"alg_mismatch",
				fits
					? `alg ${jwk.alg} does not fit a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ""} key: never used`
					: `alg ${JSON.stringify(jwk.alg)} is not an algorithm bearerguard verifies: ignored`,
			),
		);
	}
	if (
		algorithms.length === 0 &&
		!problems.some((p) => p.severity === "error") &&
		!problems.some((p) => p.code === "use_not_sig" || p.code === "key_ops_without_verify")
	) {
		problems.push(
			error(
				"unimportable",
				"the key material cannot be imported (a wrong length, curve or encoding): ignored",
			),
		);
	}
	const text = (member: unknown) => (typeof member === "string" ? member : undefined);
	return {
		index,
		kid: text(jwk.kid),
		kty: text(jwk.kty),
		alg: text(jwk.alg),
		use: text(jwk.use),
		crv: text(jwk.crv),
		bits: rsa.bits,
		algorithms,
		problems,
	};
}

/** Reads a JWKS document as bearerguard does, and says what it makes of each key (see {@link JwksReport}). */
export async function explainJwks(document: unknown): Promise<JwksReport> {
	const members = (document as { keys?: unknown } | null)?.keys;
	if (typeof document !== "object" || document === null || !Array.isArray(members)) {
		return {
			usable: 0,
			keys: [],
			problems: [error("not_a_jwks", 'not a JWKS: a JSON object with a "keys" array is expected')],
		};
	}
	const keys = await Promise.all(members.map((member, index) => explainKey(member, index)));
	const kids = new Map<string, number>();
	for (const key of keys) if (key.kid !== undefined) kids.set(key.kid, (kids.get(key.kid) ?? 0) + 1);
	const reports = keys.map((key) => {
		const count = key.kid === undefined ? 0 : (kids.get(key.kid) ?? 0);
		if (count < 2) return key;
		const duplicate = warning(
			"kid_duplicate",
			`${count} keys share kid ${JSON.stringify(key.kid)}: up to 3 are tried per token, a rotation is ambiguous`,
		);
		return { ...key, problems: [...key.problems, duplicate] };
	});
	const usable = reports.filter((key) => key.algorithms.length > 0).length;
	const problems =
		usable === 0
			? [
					error(
						"no_usable_keys",
						members.length === 0
							? 'the JWKS is empty ({"keys": []}): no token can be verified'
							: "no key can verify a signature: every token will be refused (kid_unknown)",
					),
				]
			: [];
	return { usable, keys: reports, problems };
}
