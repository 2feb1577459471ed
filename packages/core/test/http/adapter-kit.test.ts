import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	createVerifier,
	errorAnswer,
	errorBody,
	InsufficientScopeError,
	splitAdapterOptions,
} from "../../src/index.js";
import { expectRefusal, thrownBy } from "../support/refusals.js";

describe("splitAdapterOptions", () => {
	it("takes onError and errorHandling off the options handed to the core", () => {
		const onError = () => "x";
		expect(splitAdapterOptions({ issuer: "https://a/", onError, errorHandling: "framework" })).toEqual({
			authOptions: { issuer: "https://a/" },
			onError,
			framework: true,
		});
		expect(splitAdapterOptions(undefined)).toEqual({ authOptions: {}, onError: undefined, framework: false });
	});

	it("refuses bad values with a sentence", () => {
		expect(thrownBy(() => splitAdapterOptions("x" as never))).toEqual(
			new TypeError("bearerguard: options must be an object, e.g. requireAuth({ issuer, audience })."),
		);
		expect(thrownBy(() => splitAdapterOptions({ onError: 1 as never }))).toEqual(
			new TypeError("bearerguard: onError must be a function (error, response) => body, or left out."),
		);
		expect(thrownBy(() => splitAdapterOptions({ errorHandling: "next" as never }))).toEqual(
			new TypeError("bearerguard: errorHandling must be 'respond' or 'framework', or left out."),
		);
	});
});

describe("errorBody", () => {
	it("keeps the default for undefined, sends strings as is and objects as JSON", () => {
		expect(errorBody(undefined, "default")).toBe("default");
		expect(errorBody("plain", "default")).toBe("plain");
		expect(errorBody({ code: 1 }, "default")).toBe('{"code":1}');
	});
});

describe("errorAnswer", () => {
	const error = new InsufficientScopeError(["write"]);
	const challenge =
		'Bearer realm="shop", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="write"';

	it("is the contract's answer in the adapter's realm without a hook", () => {
		expect(errorAnswer(error, { realm: "shop" }, undefined, {})).toEqual({
			status: 403,
			headers: {
				"content-type": "application/json",
				"cache-control": "no-store",
				"www-authenticate": challenge,
			},
			body: '{"error":"insufficient_scope","message":"Insufficient permissions for the requested operation"}',
		});
	});

	it("takes the hook's body, keeps status and headers, and lets a throwing hook throw", () => {
		const request = { id: "req-1" };
		const answer = errorAnswer(
			error,
			{ realm: "shop" },
			(failure, _response, req) => ({ code: failure.code, request: req.id }),
			request,
		);
		expect(answer.status).toBe(403);
		expect(answer.headers["www-authenticate"]).toBe(challenge);
		expect(answer.body).toBe('{"code":"insufficient_scope","request":"req-1"}');
		const hookError = new Error("hook");
		expect(
			thrownBy(() =>
				errorAnswer(
					error,
					{ realm: "shop" },
					() => {
						throw hookError;
					},
					{},
				),
			),
		).toBe(hookError);
	});

	it("never calls the hook for an error that is not bearerguard's", () => {
		let calls = 0;
		const answer = errorAnswer(
			new Error("db down"),
			{ realm: "api" },
			() => {
				calls++;
				return "x";
			},
			{},
		);
		expect(answer).toMatchObject({
			status: 500,
			body: '{"error":"server_error","message":"Internal server error"}',
		});
		expect(calls).toBe(0);
	});
});

describe("the synchronous hot path of compileGuard", () => {
	let issuer: TestIssuer;
	beforeAll(async () => {
		issuer = await createTestIssuer();
	});
	afterAll(() => issuer.close());

	it("answers a cached token synchronously, and still checks the header grammar of anything else", async () => {
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		const authenticate = verifier.compileGuard({ permissions: ["read"] });
		const token = await issuer.sign({ permissions: ["read"] });
		const first = authenticate({ headers: { authorization: `Bearer ${token}` } });
		expect(first).toBeInstanceOf(Promise);
		await first;
		// The keys are cached now: a miss answers synchronously too, and stores the token (its second verification).
		const stored = authenticate({ headers: { authorization: `Bearer ${token}` } });
		expect(stored).not.toBeInstanceOf(Promise);
		const warm = authenticate({ headers: { authorization: `Bearer ${token}` } });
		expect(warm).toBe(stored);
		for (const header of [`Bearer ${token},`, `Bearer ${token} ${token}`, `Bearer \t${token}`]) {
			let thrown: unknown;
			try {
				authenticate({ headers: { authorization: header } });
			} catch (error) {
				thrown = error;
			}
			expectRefusal(thrown, "authorization_malformed");
		}
	});

	it("answers the grammar (400) before the length (401) for an over-long header", () => {
		const verifier = createVerifier({ issuer: issuer.issuer, audience: issuer.audience });
		const authenticate = verifier.compileGuard();
		const refusal = (header: string) => {
			try {
				authenticate({ headers: { authorization: header } });
			} catch (error) {
				return error;
			}
			return undefined;
		};
		expectRefusal(refusal(`Bearer ${"a".repeat(9000)} b`), "authorization_malformed");
		expectRefusal(refusal(`Bearer ${"a".repeat(9000)}`), "token_too_long");
	});
});
