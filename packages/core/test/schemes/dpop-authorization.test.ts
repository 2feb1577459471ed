/**
 * `Authorization: DPoP` without a token (RFC 9449 §7.1): the 400 of a malformed header, answered with the
 * DPoP challenge (as every failure of a DPoP request), in `allowed` mode too, where a malformed `Bearer`
 * header keeps the Bearer challenge.
 */
import { describe, expect, it } from "vitest";
import { createVerifier, toErrorResponse } from "../../src/index.js";
import { rejectionOf } from "../support/refusals.js";

const ALGS = 'algs="ES256 Ed25519 EdDSA PS256 RS256"';
const MALFORMED = 'error="invalid_request", error_description="Malformed Authorization header"';

function guardOf(mode: "allowed" | "required") {
	return createVerifier({
		issuer: "https://auth.example.com/",
		audience: "https://api.example.com",
		jwksUri: "https://auth.example.com/jwks.json",
		dpop: { mode },
	}).guard();
}

async function answer(mode: "allowed" | "required", authorization: string) {
	const error = await rejectionOf(
		Promise.resolve().then(() =>
			guardOf(mode)({ headers: { authorization }, method: "GET", url: "https://api.example.com/v1" }),
		),
	);
	const { status, headers, body } = toErrorResponse(error);
	return { status, challenge: headers["www-authenticate"], body: JSON.parse(body) as unknown };
}

describe("Authorization: DPoP without a token", () => {
	it.each([
		["DPoP", "DPoP"],
		["DPoP and spaces", "DPoP   "],
		["dpop and a tab", "dpop\tabc"],
		["DPoP and a comma", "DPoP,abc"],
	])("%s: 400 with the DPoP challenge in allowed mode", async (_label, authorization) => {
		expect(await answer("allowed", authorization)).toEqual({
			status: 400,
			challenge: `DPoP realm="api", ${MALFORMED}, ${ALGS}`,
			body: { error: "invalid_request", message: "Malformed Authorization header" },
		});
	});

	it("is the same answer in required mode", async () => {
		expect(await answer("required", "DPoP")).toEqual({
			status: 400,
			challenge: `DPoP realm="api", ${MALFORMED}, ${ALGS}`,
			body: { error: "invalid_request", message: "Malformed Authorization header" },
		});
	});

	it("a malformed Bearer header keeps the Bearer challenge in allowed mode", async () => {
		expect(await answer("allowed", "Bearer a b")).toEqual({
			status: 400,
			challenge: `Bearer realm="api", ${MALFORMED}`,
			body: { error: "invalid_request", message: "Malformed Authorization header" },
		});
	});
});
