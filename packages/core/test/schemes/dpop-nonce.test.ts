/**
 * Stateless DPoP nonces (RFC 9449 §9): a step number and an HMAC; accepted for their step and the
 * neighbouring ones only, under their own secret only. Time is passed in (`now`, seconds): no clock.
 */
import { describe, expect, it } from "vitest";
import { DpopNonces } from "../../src/schemes/dpop-nonce.js";

const SECRET = Buffer.from("0123456789abcdef0123456789abcdef");
const OTHER = Buffer.from("fedcba9876543210fedcba9876543210");
const STEP = 300;
/** The start of a step. */
const T = 1_800_000_100 - (1_800_000_100 % STEP);

describe("DpopNonces", () => {
	const nonces = new DpopNonces(SECRET, STEP);

	it("makes one nonce per step: 30 base64url characters, the same all through the step", () => {
		const nonce = nonces.current(T);
		expect(nonce).toMatch(/^[A-Za-z0-9_-]{30}$/);
		expect(nonces.current(T + 1)).toBe(nonce);
		expect(nonces.current(T + STEP - 0.001)).toBe(nonce);
		expect(nonces.current(T + STEP)).not.toBe(nonce);
		expect(nonces.current(T - 1)).not.toBe(nonce);
	});

	it("makes the same nonces on another instance with the same secret (a fleet agrees)", () => {
		const twin = new DpopNonces(Buffer.from(SECRET), STEP);
		expect(twin.current(T)).toBe(nonces.current(T));
		expect(twin.accepts(nonces.current(T), T)).toBe(true);
	});

	it("accepts a nonce during its own step, the one before and the one after", () => {
		const nonce = nonces.current(T);
		for (const now of [T, T + STEP - 1, T - STEP, T - 1, T + STEP, T + 2 * STEP - 1]) {
			expect(nonces.accepts(nonce, now)).toBe(true);
		}
	});

	it("refuses a nonce two steps old or two steps ahead", () => {
		const nonce = nonces.current(T);
		expect(nonces.accepts(nonce, T + 2 * STEP)).toBe(false);
		expect(nonces.accepts(nonce, T + 10 * STEP)).toBe(false);
		expect(nonces.accepts(nonce, T - STEP - 1)).toBe(false);
		expect(nonces.accepts(nonces.current(T - 2 * STEP), T)).toBe(false);
		expect(nonces.accepts(nonces.current(T + 2 * STEP), T)).toBe(false);
	});

	it("refuses a nonce made with another secret, or with another step length", () => {
		expect(nonces.accepts(new DpopNonces(OTHER, STEP).current(T), T)).toBe(false);
		// Same secret, another step: the step number differs, so it is another step's nonce or a bad MAC.
		expect(nonces.accepts(new DpopNonces(SECRET, 60).current(T), T)).toBe(false);
	});

	it("refuses a nonce whose step was changed to the current one (the MAC is the step's)", () => {
		const old = Buffer.from(nonces.current(T - 5 * STEP), "base64url");
		old.writeUIntBE(T / STEP, 0, 6);
		expect(nonces.accepts(old.toString("base64url"), T)).toBe(false);
	});

	it("refuses a nonce with one bit of its MAC flipped", () => {
		const bytes = Buffer.from(nonces.current(T), "base64url");
		bytes[21] = (bytes[21] as number) ^ 1;
		expect(nonces.accepts(bytes.toString("base64url"), T)).toBe(false);
	});

	it.each([
		["empty", ""],
		["too short", "abc"],
		["one character short", "A".repeat(29)],
		["one character long", "A".repeat(31)],
		["30 characters outside base64url", "+".repeat(30)],
		["padding", `${"A".repeat(28)}==`],
		["a space", `${"A".repeat(29)} `],
		["zeros", "A".repeat(30)],
		["non-ASCII", "é".repeat(30)],
		["a huge string", "A".repeat(100_000)],
	])("refuses garbage: %s", (_label, nonce) => {
		expect(nonces.accepts(nonce, T)).toBe(false);
	});

	it("gives no upcoming nonce in the first three quarters of a step", () => {
		for (const offset of [0, 1, STEP / 2, STEP * 0.75 - 0.001]) {
			expect(nonces.upcoming(T + offset)).toBeUndefined();
		}
	});

	it("gives the next step's nonce in the last quarter of a step", () => {
		const next = nonces.current(T + STEP);
		for (const offset of [STEP * 0.75, STEP * 0.9, STEP - 0.001]) {
			expect(nonces.upcoming(T + offset)).toBe(next);
		}
		// Handed out in the last quarter, it is accepted now and through the whole next step.
		expect(nonces.accepts(next, T + STEP * 0.75)).toBe(true);
		expect(nonces.accepts(next, T + 2 * STEP - 1)).toBe(true);
	});

	it("alternates current and upcoming steps without mixing them up (its one-entry cache)", () => {
		const a = nonces.current(T);
		const b = nonces.upcoming(T + STEP * 0.8);
		expect(nonces.current(T)).toBe(a);
		expect(nonces.upcoming(T + STEP * 0.8)).toBe(b);
		expect(b).toBe(nonces.current(T + STEP));
		expect(a).not.toBe(b);
	});
});
