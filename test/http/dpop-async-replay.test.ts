/**
 * A replay store that answers with a promise (as the Redis store does), on every adapter: every failure
 * of a DPoP request keeps the DPoP challenge, also once the token is cached (then the token is verified
 * synchronously and only the store is asynchronous), and a store that rejects is a 503, never a 200.
 */
import { createMemoryReplayStore, type ReplayStore } from "@bearerguard/core";
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import { ALGS, accepted, checkBinding, expectSameEverywhere, refused } from "../support/binding.js";
import { AUDIENCE } from "../support/fixture.js";
import { type HttpAnswer, type HttpRequest, send } from "../support/http.js";

let issuer: TestIssuer;
let key: DpopKey;
let apps: TestApp[];
/** A store that answers later, as one over the network does. */
const memory = createMemoryReplayStore();
const later: ReplayStore = {
	claim: (claimed, expiresAt) =>
		new Promise((resolve) => setTimeout(() => resolve(memory.claim(claimed, expiresAt) as boolean), 1)),
};
/** A store whose backend is gone. */
const broken: ReplayStore = { claim: () => Promise.reject(new Error("connection refused")) };

function routes(): RouteSpec[] {
	return [
		{ method: "GET", path: "/a", binding: true, auth: { dpop: { replay: later } } },
		{
			method: "GET",
			path: "/a/write",
			binding: true,
			auth: { dpop: { replay: later }, permissions: ["write"] },
		},
		{ method: "GET", path: "/down", binding: true, auth: { dpop: { replay: broken } } },
	];
}

beforeAll(async () => {
	[issuer, key] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createDpopKey("ES256")]);
	apps = await startApps({ issuer: issuer.issuer, audience: AUDIENCE }, routes());
});

afterAll(async () => {
	await Promise.all((apps ?? []).map((app) => app.close()));
	await issuer?.close();
});

const request = async (app: TestApp, path: string, token: string): Promise<HttpRequest> => ({
	method: "GET",
	path,
	headers: {
		authorization: `DPoP ${token}`,
		dpop: await issuer.dpopProof({ method: "GET", url: `${app.url}${path}`, token, key }),
	},
});

describe("a replay store that answers with a promise", () => {
	it("a replayed proof: the DPoP challenge, the first time the token is seen and once it is cached", async () => {
		for (const cached of [false, true]) {
			const token = await issuer.sign({ permissions: ["read"] }, { dpopKey: key });
			const answers: HttpAnswer[] = [];
			for (const app of apps) {
				if (cached)
					checkBinding(
						app,
						await send(app, await request(app, "/a", token)),
						accepted("DPoP", "jwt", { jkt: key.jkt }),
					);
				const replayed = await request(app, "/a", token);
				checkBinding(app, await send(app, replayed), accepted("DPoP", "jwt", { jkt: key.jkt }));
				const answer = await send(app, replayed);
				checkBinding(app, answer, refused("dpop_proof_replayed", "DPoP"));
				answers.push(answer);
			}
			expectSameEverywhere(answers);
		}
	});

	it("insufficient_scope after the store answered: the DPoP challenge, token cached or not", async () => {
		const token = await issuer.sign({ permissions: ["read"] }, { dpopKey: key });
		const message = "Insufficient permissions for the requested operation";
		const expected = {
			status: 403,
			error: "insufficient_scope",
			message,
			challenge: `DPoP realm="api", error="insufficient_scope", error_description="${message}", scope="write", algs="${ALGS}"`,
		} as const;
		for (let round = 0; round < 2; round += 1) {
			const answers: HttpAnswer[] = [];
			for (const app of apps) {
				const answer = await send(app, await request(app, "/a/write", token));
				checkBinding(app, answer, expected);
				answers.push(answer);
			}
			expectSameEverywhere(answers);
		}
	});

	it("a store that rejects: 503 replay_check_failed, token cached or not, never 200", async () => {
		const token = await issuer.sign({}, { dpopKey: key });
		for (let round = 0; round < 2; round += 1) {
			const answers: HttpAnswer[] = [];
			for (const app of apps) {
				const answer = await send(app, await request(app, "/down", token));
				expect(answer.status, app.name).toBe(503);
				expect(answer.headers["retry-after"], app.name).toBe("1");
				expect(answer.headers["www-authenticate"], app.name).toBeUndefined();
				expect(answer.headers["cache-control"], app.name).toBe("no-store");
				expect(answer.headers["content-type"], app.name).toBe("application/json");
				expect(answer.body, app.name).toBe(
					JSON.stringify({
						error: "temporarily_unavailable",
						message: "DPoP proof replay check is temporarily unavailable",
					}),
				);
				answers.push(answer);
			}
			expectSameEverywhere(answers);
		}
	});
});
