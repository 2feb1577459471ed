import { afterEach, describe, expect, it } from "vitest";
import { type FaultyIssuer, type IssuerKey, rsaKey, startFaultyIssuer } from "./support/faulty-issuer.js";
import {
	BOUND_MS,
	COOLDOWN_MS,
	createSubject,
	faultOptions,
	type Subject,
	sleep,
	unauthorized,
} from "./support/subjects.js";

/**
 * A JWKS that is served fine but holds keys that must not be trusted as they are: duplicate kids,
 * `use: enc` or `key_ops` without `verify`, an RSA key under 2048 bits, private or symmetric
 * material. The answer, and the fetches it costs (an unknown kid refetches once per cooldown).
 */

let issuer: FaultyIssuer | undefined;
let subject: Subject | undefined;

afterEach(async () => {
	await subject?.close();
	await issuer?.close();
});

const KID_UNKNOWN = unauthorized("Token signing key is unknown");

/** The published keys for each case, and the key the token is signed with. */
/** Name, keys, answer, and fetches after three tokens with a cooldown between the first two. */
const CASES: Array<[string, () => { keys: IssuerKey[]; signer: IssuerKey }, object, number]> = [
	["duplicate kids: a decoy, then the real key", () => dup(1), { status: 200 }, 1],
	[
		"duplicate kids: five decoys before the real key (at most 3 candidates are tried)",
		() => dup(5),
		unauthorized("Invalid token signature"),
		1,
	],
	["the only key has use: enc", () => only(rsaKey("k1", { extra: { use: "enc" } })), KID_UNKNOWN, 2],
	[
		'the only key has key_ops ["encrypt"]',
		() => only(rsaKey("k1", { extra: { use: undefined, key_ops: ["encrypt"] } })),
		KID_UNKNOWN,
		2,
	],
	[
		"the only key is RSA 1024 bits (RFC 7518 §3.3 wants 2048; its kid is found, so it never refetches)",
		() => only(rsaKey("k1", { bits: 1024 })),
		KID_UNKNOWN,
		1,
	],
	["the only key is RSA 2048 bits (control)", () => only(rsaKey("k1")), { status: 200 }, 1],
	["the key is published with its private exponent d", () => leaked(), KID_UNKNOWN, 2],
];

function only(key: IssuerKey) {
	return { keys: [key], signer: key };
}

function dup(decoys: number) {
	const real = rsaKey("dup");
	const others = Array.from({ length: decoys }, (_, i) => rsaKey("dup", { slot: i + 1 }));
	return { keys: [...others, real], signer: real };
}

function leaked() {
	const key = rsaKey("k1");
	return {
		keys: [{ ...key, jwk: { ...key.privateKey.export({ format: "jwk" }), kid: "k1", alg: "RS256" } }],
		signer: key,
	};
}

describe.each(["core", "express4"] as const)("%s", (kind) => {
	it.each(CASES)("%s", async (_name, make, answer, fetches) => {
		issuer = await startFaultyIssuer();
		const { keys, signer } = make();
		issuer.keys = keys;
		subject = await createSubject(kind, faultOptions(issuer));
		const first = await subject.check(issuer.sign(signer));
		expect(first).toMatchObject(answer);
		expect(first.ms).toBeLessThan(BOUND_MS);
		expect(subject.fetches()).toBe(1); // an unknown kid right after a fetch waits for the cooldown
		// After the cooldown an unknown kid refetches once; a third token right away does not.
		await sleep(COOLDOWN_MS + 100);
		expect(await subject.check(issuer.sign(signer))).toMatchObject(answer);
		expect(await subject.check(issuer.sign(signer))).toMatchObject(answer);
		expect(subject.fetches()).toBe(fetches);
		expect(issuer.requests.jwks).toBe(fetches);
	});
});
