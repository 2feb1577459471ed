/**
 * Sender-constrained tokens, checked on every request, cached token or not: a token bound to a key
 * (`cnf`) is accepted only from the holder of that key. `cnf.jkt` (RFC 9449): only as
 * `Authorization: DPoP` with a valid proof made with that key; `cnf["x5t#S256"]` (RFC 8705): only with
 * that client certificate. A bound token never acts as a bearer token, with or without `dpop`/`mtls`.
 */
import { createHash } from "node:crypto";
import type { ResolvedOptions } from "../config/options.js";
import type { ReplayStore } from "../credential-types.js";
import {
	BearerError,
	invalidDpopProof,
	invalidToken,
	TemporarilyUnavailableError,
	UseDpopNonceError,
} from "../http/errors.js";
import { headerValues, type RequestReader } from "../http/request.js";
import { GuardSetupError } from "../http/setup-error.js";
import type { Confirmation } from "../token/confirmation.js";
import type { AuthResult } from "../types.js";
import { certificateThumbprint } from "./client-certificate.js";
import { DpopNonces } from "./dpop-nonce.js";
import { checkProof } from "./dpop-proof.js";
import { htuMatches, requestTarget, wellFormedOrigin } from "./htu.js";
import { createMemoryReplayStore } from "./replay-memory.js";

/** How a token was presented: the `Authorization` scheme. */
type TokenScheme = "Bearer" | "DPoP";

/**
 * The per-request binding check: the `auth` when the request proves the key its token is bound to (or
 * the token is bound to none), a promise of it when the replay store answers asynchronously; throws a
 * `BearerError` otherwise.
 */
export type BindingCheck = <R>(
	auth: AuthResult,
	scheme: TokenScheme,
	request: R | undefined,
	reader: RequestReader<R> | undefined,
) => AuthResult | Promise<AuthResult>;

const seconds = () => Date.now() / 1000;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
	return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function base64urlSha256(value: string): string {
	return createHash("sha256").update(value).digest("base64url");
}

/** The `ath` of a verified token, hashed once per cached `auth` (a token's every request shares it). */
const athByAuth = new WeakMap<AuthResult, string>();

function athOf(auth: AuthResult): string {
	let ath = athByAuth.get(auth);
	if (ath === undefined) {
		ath = base64urlSha256(auth.token);
		athByAuth.set(auth, ath);
	}
	return ath;
}

/** The `DPoP-Nonce` a successful DPoP answer carries, when nonces are on and the step is about to roll. */
export type NonceHeaders = (auth: AuthResult) => Readonly<Record<string, string>> | undefined;

/** The binding check of one verifier, and the nonce headers of its successful answers. */
export interface SenderConstraint {
	readonly check: BindingCheck;
	/** `undefined` unless `dpop.nonce` is set. */
	readonly successHeaders: NonceHeaders | undefined;
	/** The replay store in use (the in-memory default unless `dpop.replay` was given), with `dpop`. */
	readonly replay: ReplayStore | undefined;
}

/**
 * Builds the binding check of a verifier's options.
 *
 * @example
 * ```ts
 * const { check } = createSenderConstraint(options)
 * const auth = check(verified, 'DPoP', req, reader)
 * ```
 */
export function createSenderConstraint(options: ResolvedOptions): SenderConstraint {
	const { dpop, mtls, clockTolerance } = options;
	const nonces = dpop?.nonce === undefined ? undefined : new DpopNonces(dpop.nonce.secret, dpop.nonce.step);
	const replay = dpop === undefined ? undefined : (dpop.replay ?? createMemoryReplayStore());

	function checkCertificate<R>(
		confirmation: Confirmation | undefined,
		request: R | undefined,
		reader: RequestReader<R> | undefined,
	): void {
		const bound = confirmation?.["x5t#S256"];
		if (bound === undefined) {
			if (mtls?.required) throw invalidToken("token_not_certificate_bound");
			return;
		}
		if (mtls === undefined) throw invalidToken("token_certificate_bound");
		const presented =
			request === undefined || reader === undefined
				? undefined
				: certificateThumbprint(request, reader, mtls);
		if (presented === undefined) throw invalidToken("certificate_missing");
		// A certificate's thumbprint is public (the certificate is sent in clear): compared as a string, as ath and jkt are.
		if (presented !== bound) throw invalidToken("certificate_mismatch");
	}

	/** RFC 9449 §4.3 and §7.1 for a request with `Authorization: DPoP`, then the replay claim. */
	function checkDpop<R>(
		auth: AuthResult,
		request: R,
		reader: RequestReader<R>,
	): AuthResult | Promise<AuthResult> {
		const settings = dpop as NonNullable<typeof dpop>;
		const proofs = headerValues(request, reader, "dpop");
		if (proofs.length === 0 || proofs[0] === "") throw invalidDpopProof("dpop_proof_missing");
		if (proofs.length > 1) throw invalidDpopProof("dpop_proof_duplicated");
		const proof = checkProof(proofs[0] as string, settings.algorithms);
		if (reader.method === undefined || reader.url === undefined) {
			throw new GuardSetupError(
				"dpop needs the request's method and URL: the adapter's RequestReader must give method() and url().",
			);
		}
		if (proof.htm !== reader.method(request)) throw invalidDpopProof("dpop_proof_htm");
		// The URL is built from headers the client may have forged: a host or scheme that is none refused.
		const origin = wellFormedOrigin(
			headerValues(request, reader, "host"),
			headerValues(request, reader, "x-forwarded-host"),
			headerValues(request, reader, "x-forwarded-proto"),
		);
		const target = origin ? requestTarget(reader.url(request)) : undefined;
		if (target === undefined || !htuMatches(proof.htu, target)) throw invalidDpopProof("dpop_proof_htu");
		const now = seconds();
		if (proof.iat > now + clockTolerance) throw invalidDpopProof("dpop_proof_future");
		const expiresAt = proof.iat + settings.proofMaxAge + clockTolerance;
		if (expiresAt < now) throw invalidDpopProof("dpop_proof_expired");
		// ath and jkt are public values (hashes of what the client sends): compared as strings.
		if (proof.ath === undefined || proof.ath !== athOf(auth)) throw invalidDpopProof("dpop_proof_ath");
		const bound = auth.confirmation?.jkt;
		if (bound === undefined) throw invalidToken("token_not_dpop_bound");
		if (proof.jkt !== bound) throw invalidDpopProof("dpop_proof_jkt");
		if (nonces !== undefined) {
			if (proof.nonce === undefined) throw new UseDpopNonceError("dpop_nonce_required", nonces.current(now));
			if (!nonces.accepts(proof.nonce, now))
				throw new UseDpopNonceError("dpop_nonce_invalid", nonces.current(now));
		}
		checkCertificate(auth.confirmation, request, reader);
		// Last: a proof is used up only by a request that passed every other check.
		// The key is the proof's own: its key's thumbprint and its jti (at most 43 + 1 + 256 characters).
		const key = `${proof.jkt}:${proof.jti}`;
		let first: boolean | Promise<boolean>;
		try {
			first = (replay as ReplayStore).claim(key, new Date(Math.ceil(expiresAt * 1000)));
		} catch (cause) {
			throw new TemporarilyUnavailableError("replay_check_failed", 1, { cause });
		}
		if (isPromise(first)) {
			return first.then(
				(value) => {
					if (value !== true) throw invalidDpopProof("dpop_proof_replayed");
					return auth;
				},
				(cause: unknown) => {
					throw cause instanceof BearerError
						? cause
						: new TemporarilyUnavailableError("replay_check_failed", 1, { cause });
				},
			);
		}
		if (first !== true) throw invalidDpopProof("dpop_proof_replayed");
		return auth;
	}

	function check<R>(
		auth: AuthResult,
		scheme: TokenScheme,
		request: R | undefined,
		reader: RequestReader<R> | undefined,
	): AuthResult | Promise<AuthResult> {
		const confirmation = auth.confirmation;
		if (scheme === "DPoP" && request !== undefined && reader !== undefined)
			return checkDpop(auth, request, reader);
		// A bearer token, or a token checked without a request (`verifier.verify`).
		if (confirmation === undefined) {
			if (mtls?.required) throw invalidToken("token_not_certificate_bound");
			return auth;
		}
		if (confirmation.jkt !== undefined) throw invalidToken("token_dpop_bound");
		checkCertificate(confirmation, request, reader);
		return auth;
	}

	const successHeaders: NonceHeaders | undefined =
		nonces === undefined
			? undefined
			: (auth) => {
					if (auth.scheme !== "DPoP") return undefined;
					const next = nonces.upcoming(seconds());
					return next === undefined ? undefined : { "dpop-nonce": next };
				};

	return { check: check as BindingCheck, successHeaders, replay };
}
