import { afterEach, describe, expect, it } from "vitest";
import { type Fault, type FaultyIssuer, startFaultyIssuer } from "./support/faulty-issuer.js";
import {
	BOUND_MS,
	COOLDOWN_MS,
	createSubject,
	faultOptions,
	type Subject,
	sleep,
	UNAVAILABLE,
} from "./support/subjects.js";

/**
 * An issuer that answers, but not a JWKS: a 302 to itself (never followed), a 200 with HTML, a 500,
 * and a 5 MiB body with and without Content-Length (refused at 1 MiB, never buffered whole). Each is
 * a 503 at once, costs one fetch, and the error backoff keeps the next request from fetching again.
 */

let issuer: FaultyIssuer | undefined;
let subject: Subject | undefined;

afterEach(async () => {
	await subject?.close();
	await issuer?.close();
});

const FAULTS: Array<[Fault, string]> = [
	["redirect", "302 to itself"],
	["html", "200 with an HTML page"],
	["status500", "500"],
	["huge", "200 with a 5 MiB body and its Content-Length"],
	["huge-chunked", "200 with a 5 MiB chunked body"],
];

describe.each(["core", "fastify"] as const)("%s", (kind) => {
	it.each(FAULTS)(
		"%s (%s): 503 at once, one fetch, no retry within the backoff, 200 once it is fixed",
		async (fault) => {
			issuer = await startFaultyIssuer();
			issuer.fault = fault;
			subject = await createSubject(kind, faultOptions(issuer));
			const key = issuer.keys[0]!;

			const first = await subject.check(issuer.sign(key));
			expect(first).toMatchObject(UNAVAILABLE);
			expect(Number(first.retryAfter)).toBeGreaterThanOrEqual(1);
			expect(first.ms).toBeLessThan(BOUND_MS);
			const again = await subject.check(issuer.sign(key));
			expect(again).toMatchObject(UNAVAILABLE);
			expect(subject.fetches()).toBe(1);
			expect(issuer.requests.jwks).toBe(1); // the redirect was not followed

			issuer.fault = "none";
			await sleep(COOLDOWN_MS + 100);
			expect(await subject.check(issuer.sign(key))).toMatchObject({ status: 200 });
			expect(subject.fetches()).toBe(2);
		},
	);
});
