/**
 * Server nonces for DPoP proofs (RFC 9449 §9), stateless: a nonce is a time step's number and an HMAC of
 * it under the configured secret, so every instance with the same secret makes and accepts the same
 * nonces. A nonce is accepted during its own step and the ones before and after it; in the last quarter
 * of a step, successful answers carry the next step's nonce, so a client that keeps calling never meets
 * `use_dpop_nonce` again.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const LABEL = "bearerguard dpop nonce ";
/** 6 bytes of step number and 16 of HMAC: 22 bytes, 30 base64url characters. */
const NONCE_BYTES = 22;

/** Makes and checks the nonces of one secret and step. */
export class DpopNonces {
	readonly #secret: Buffer;
	readonly #step: number;
	#cachedStep = -1;
	#cachedNonce = "";

	/** `step` in seconds. */
	constructor(secret: Buffer, step: number) {
		this.#secret = secret;
		this.#step = step;
	}

	#mac(step: number): Buffer {
		return createHmac("sha256", this.#secret).update(`${LABEL}${step}`).digest().subarray(0, 16);
	}

	/** The nonce of time step `step`. */
	#nonceOf(step: number): string {
		if (step === this.#cachedStep) return this.#cachedNonce;
		const bytes = Buffer.alloc(NONCE_BYTES);
		bytes.writeUIntBE(step, 0, 6);
		this.#mac(step).copy(bytes, 6);
		const nonce = bytes.toString("base64url");
		this.#cachedStep = step;
		this.#cachedNonce = nonce;
		return nonce;
	}

	/** The nonce to hand out at `now` (seconds). */
	current(now: number): string {
		return this.#nonceOf(Math.floor(now / this.#step));
	}

	/** The next step's nonce when `now` is in the last quarter of its step, else `undefined`. */
	upcoming(now: number): string | undefined {
		const position = now / this.#step;
		const step = Math.floor(position);
		return position - step >= 0.75 ? this.#nonceOf(step + 1) : undefined;
	}

	/** Whether `nonce` was made with this secret for the step of `now`, or the one before or after. */
	accepts(nonce: string, now: number): boolean {
		if (nonce.length !== 30 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return false;
		const bytes = Buffer.from(nonce, "base64url");
		if (bytes.length !== NONCE_BYTES) return false;
		const step = bytes.readUIntBE(0, 6);
		const current = Math.floor(now / this.#step);
		if (step < current - 1 || step > current + 1) return false;
		return timingSafeEqual(bytes.subarray(6), this.#mac(step));
	}
}
