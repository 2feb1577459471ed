import { checkPrimeSync, createPrivateKey } from "node:crypto";
import type { JWK } from "jose";
import type { Drbg } from "./drbg.js";

const PUBLIC_EXPONENT = 65_537n;
/** Candidates tried from one random start before drawing a new one. */
const SEARCH_SPAN = 8192;

/** Odd primes below 2000, to sieve candidates before the Miller-Rabin test. */
const SMALL_PRIMES: readonly number[] = (() => {
	const primes: number[] = [];
	for (let n = 3; n < 2000; n += 2) if (primes.every((p) => n % p !== 0)) primes.push(n);
	return primes;
})();

function toBigInt(bytes: Uint8Array): bigint {
	return BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

/**
 * A big-endian unsigned integer as base64url, minimal length (RFC 7518 §2 "Base64urlUInt").
 *
 * @example
 * ```ts
 * base64UrlUInt(65537n); // 'AQAB'
 * ```
 */
export function base64UrlUInt(value: bigint): string {
	const hex = value.toString(16);
	return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex").toString("base64url");
}

function modInverse(value: bigint, modulus: bigint): bigint {
	let [oldR, r] = [((value % modulus) + modulus) % modulus, modulus];
	let [oldS, s] = [1n, 0n];
	while (r !== 0n) {
		const quotient = oldR / r;
		[oldR, r] = [r, oldR - quotient * r];
		[oldS, s] = [s, oldS - quotient * s];
	}
	if (oldR !== 1n) throw new RangeError("The value has no inverse modulo the modulus.");
	return ((oldS % modulus) + modulus) % modulus;
}

/**
 * A prime of exactly `bits` bits whose top two bits are set (so the product of two is exactly
 * `2 * bits` bits) and with `p - 1` coprime to 65537, drawn from the DRBG: a random odd start,
 * then the next candidates that survive a small-prime sieve, each checked by OpenSSL's
 * `checkPrimeSync`.
 */
function seededPrime(drbg: Drbg, bits: number): bigint {
	for (;;) {
		const bytes = drbg.bytes(bits / 8);
		bytes[0] = (bytes[0] ?? 0) | 0xc0;
		bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | 1;
		const start = toBigInt(bytes);
		const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
		const exponentResidue = Number(start % PUBLIC_EXPONENT);
		const exponent = Number(PUBLIC_EXPONENT);
		for (let offset = 0; offset < SEARCH_SPAN; offset += 2) {
			if ((exponentResidue + offset) % exponent === 1) continue;
			if (SMALL_PRIMES.some((p, i) => ((residues[i] ?? 0) + offset) % p === 0)) continue;
			const candidate = start + BigInt(offset);
			if (candidate.toString(2).length !== bits) break;
			if (checkPrimeSync(candidate)) return candidate;
		}
	}
}

/**
 * A deterministic RSA private JWK (`n`, `e` = 65537, `d`, `p`, `q`, `dp`, `dq`, `qi`) of
 * `bits` bits from a DRBG, checked by importing it with Node's `createPrivateKey`.
 *
 * @param bits - modulus size in bits, a multiple of 16
 * @example
 * ```ts
 * const jwk = seededRsaJwk(createDrbg("seed", "keys/0/RS256"), 2048);
 * ```
 */
export function seededRsaJwk(drbg: Drbg, bits = 2048): JWK {
	let p = seededPrime(drbg, bits / 2);
	let q = seededPrime(drbg, bits / 2);
	while (p === q) q = seededPrime(drbg, bits / 2);
	if (p < q) [p, q] = [q, p];
	const n = p * q;
	const d = modInverse(PUBLIC_EXPONENT, (p - 1n) * (q - 1n));
	const jwk: JWK = {
		kty: "RSA",
		n: base64UrlUInt(n),
		e: base64UrlUInt(PUBLIC_EXPONENT),
		d: base64UrlUInt(d),
		p: base64UrlUInt(p),
		q: base64UrlUInt(q),
		dp: base64UrlUInt(d % (p - 1n)),
		dq: base64UrlUInt(d % (q - 1n)),
		qi: base64UrlUInt(modInverse(q, p)),
	};
	createPrivateKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
	return jwk;
}
