/**
 * The `dpop` and `mtls` options (sender-constrained tokens), checked once when the verifier is created.
 */
import type { ClientCertificate, DpopOptions, MtlsOptions, ReplayStore } from "../credential-types.js";
import type { Duration } from "../types.js";
import { toSeconds } from "./duration.js";

/** Every `alg` a DPoP proof may use, asymmetric only; the default set first. */
export const DPOP_ALGORITHMS = [
	"ES256",
	"Ed25519",
	"EdDSA",
	"PS256",
	"RS256",
	"ES384",
	"ES512",
	"PS384",
	"PS512",
	"RS384",
	"RS512",
] as const;

/** The default `dpop.algorithms` (RFC 9864's `Ed25519`, which current clients send, beside `EdDSA`). */
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = DPOP_ALGORITHMS.slice(0, 5);

/** `dpop` after validation and defaults; durations in seconds. */
export interface ResolvedDpop {
	readonly required: boolean;
	readonly algorithms: ReadonlySet<string>;
	/** The `algs` of the `DPoP` challenge: the algorithms, space-separated. */
	readonly algs: string;
	readonly proofMaxAge: number;
	readonly nonce: { readonly secret: Buffer; readonly step: number } | undefined;
	/** The store given, or `undefined` for the in-memory default. */
	readonly replay: ReplayStore | undefined;
}

/** `mtls` after validation: how to get the request's certificate. */
export interface ResolvedMtls {
	readonly certificate: "socket" | { readonly header: string } | ((request: unknown) => ClientCertificate);
	readonly required: boolean;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonceOf(value: unknown): ResolvedDpop["nonce"] {
	if (value === undefined) return undefined;
	if (!isObject(value)) fail('"dpop.nonce" must be an object such as { secret }.');
	const secret = value.secret;
	const bytes =
		typeof secret === "string"
			? Buffer.from(secret, "utf8")
			: secret instanceof Uint8Array
				? Buffer.from(secret)
				: undefined;
	if (bytes === undefined || bytes.length < 32) {
		fail(
			'"dpop.nonce.secret" must be a string or bytes of at least 32 bytes, the same on every instance (e.g. 32 random bytes, base64).',
		);
	}
	const step = toSeconds((value.step as string | number | undefined) ?? 300, "dpop.nonce.step");
	if (step < 10) fail('"dpop.nonce.step" must be at least 10 seconds.');
	return Object.freeze({ secret: bytes, step });
}

/**
 * Validates `dpop` and applies the defaults; `undefined` when it is not set. Throws a `TypeError` that
 * says what to fix.
 *
 * @example
 * ```ts
 * resolveDpop({ mode: 'required' })?.algs // 'ES256 Ed25519 EdDSA PS256 RS256'
 * ```
 */
export function resolveDpop(value: DpopOptions | undefined): ResolvedDpop | undefined {
	if (value === undefined) return undefined;
	if (!isObject(value)) fail("\"dpop\" must be an object such as { mode: 'allowed' }.");
	const mode = value.mode ?? "allowed";
	if (mode !== "allowed" && mode !== "required") fail("\"dpop.mode\" must be 'allowed' or 'required'.");
	const algorithms = value.algorithms ?? DEFAULT_DPOP_ALGORITHMS;
	if (
		!Array.isArray(algorithms) ||
		algorithms.length === 0 ||
		algorithms.some((alg) => !(DPOP_ALGORITHMS as readonly unknown[]).includes(alg))
	) {
		fail(`"dpop.algorithms" must be a non-empty list of: ${DPOP_ALGORITHMS.join(", ")}.`);
	}
	const proofMaxAge = toSeconds((value.proofMaxAge as Duration | undefined) ?? 300, "dpop.proofMaxAge");
	if (proofMaxAge < 1 || proofMaxAge > 3600) fail('"dpop.proofMaxAge" must be between 1 second and 1 hour.');
	const replay = value.replay;
	if (
		replay !== undefined &&
		(!isObject(replay) || typeof (replay as { claim?: unknown }).claim !== "function")
	) {
		fail(
			'"dpop.replay" must be a store with claim(key, expiresAt), e.g. createReplayStore(client) of @bearerguard/redis.',
		);
	}
	const unique = [...new Set(algorithms as readonly string[])];
	return Object.freeze({
		required: mode === "required",
		algorithms: new Set(unique),
		algs: unique.join(" "),
		proofMaxAge,
		nonce: nonceOf(value.nonce),
		replay: replay as ReplayStore | undefined,
	});
}

/** A header name as Node gives it: lower case, a valid token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Validates `mtls` and applies the defaults; `undefined` when it is not set.
 *
 * @example
 * ```ts
 * resolveMtls({ certificate: { header: 'X-Client-Cert' } })?.certificate // { header: 'x-client-cert' }
 * ```
 */
export function resolveMtls(value: MtlsOptions | undefined): ResolvedMtls | undefined {
	if (value === undefined) return undefined;
	if (!isObject(value)) fail("\"mtls\" must be an object such as { certificate: 'socket' }.");
	const certificate = value.certificate ?? "socket";
	let resolved: ResolvedMtls["certificate"];
	if (certificate === "socket" || typeof certificate === "function")
		resolved = certificate as ResolvedMtls["certificate"];
	else if (
		isObject(certificate) &&
		typeof certificate.header === "string" &&
		HEADER_NAME.test(certificate.header.toLowerCase())
	) {
		resolved = Object.freeze({ header: certificate.header.toLowerCase() });
	} else {
		fail("\"mtls.certificate\" must be 'socket', { header: 'x-client-cert' } or a function of the request.");
	}
	if (value.required !== undefined && typeof value.required !== "boolean")
		fail('"mtls.required" must be true or false.');
	return Object.freeze({ certificate: resolved, required: value.required ?? false });
}
