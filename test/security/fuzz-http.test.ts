import { Agent, request } from "node:http";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	authorizationValue,
	mutate,
	mutations,
	sendableAuthorization,
	tokenShaped,
} from "./support/arbitraries.js";
import { DOCUMENTED, DOCUMENTED_MESSAGES, runs } from "./support/oracle.js";
import { type Reply, sendRaw } from "./support/send.js";
import { ADAPTERS, type AdapterServer, startServers } from "./support/servers.js";

/**
 * Property-based fuzzing through every adapter over real HTTP: whatever the `Authorization` value,
 * the answer is one of the documented statuses with the contract's body and challenge; never a 500,
 * never a crash, and never a 200 for a token the issuer did not sign.
 */

let issuer: TestIssuer;
let servers: AdapterServer[];
let valid: string;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

beforeAll(async () => {
	issuer = await createTestIssuer({ algorithms: ["ES256"] });
	const options = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
	servers = await startServers([
		{ path: "/things", options },
		{ path: "/write", options: { ...options, permissions: ["write"] } },
	]);
	valid = await issuer.sign({ permissions: ["read"] });
});

afterAll(async () => {
	agent.destroy();
	await Promise.all(servers.map((server) => server.close()));
	await issuer.close();
});

function get(server: AdapterServer, path: string, authorization: string | undefined): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
		const req = request({ host: "127.0.0.1", port: server.port, path, agent, headers }, (res) => {
			let body = "";
			res.setEncoding("latin1");
			res.on("data", (chunk: string) => {
				body += chunk;
			});
			res.on("end", () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }),
			);
		});
		req.on("error", reject);
		req.end();
	});
}

/** The contract's answer for anything but a 200: a documented status, code, message and challenge. */
function expectContractAnswer(reply: Reply, accepted: boolean): void {
	if (reply.status === 200) {
		expect(accepted).toBe(true);
		return;
	}
	expect([400, 401, 403]).toContain(reply.status);
	const body = JSON.parse(reply.body) as { error: string; message: string };
	expect(body.error).toBe(DOCUMENTED[reply.status as 400 | 401 | 403].code);
	expect(DOCUMENTED_MESSAGES.has(body.message)).toBe(true);
	expect(reply.headers["content-type"]).toBe("application/json");
	expect(reply.headers["cache-control"]).toBe("no-store");
	expect(reply.headers["www-authenticate"]).toMatch(/^Bearer realm="api"/);
}

const sendable = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

describe.each(ADAPTERS)("%s", (adapter) => {
	const server = () => servers.find((candidate) => candidate.name === adapter) as AdapterServer;

	const headers = runs(150);
	it(
		`answers any sendable Authorization value with a documented 400/401/403 (${headers.numRuns} runs)`,
		async () => {
			await fc.assert(
				fc.asyncProperty(sendableAuthorization, fc.boolean(), async (value, write) => {
					expectContractAnswer(await get(server(), write ? "/write" : "/things", value), false);
				}),
				{ numRuns: headers.numRuns },
			);
		},
		headers.timeout,
	);

	const tokens = runs(150);
	it(
		`answers token-shaped strings and mutants of a valid token: 200 only for the issuer's bytes (${tokens.numRuns} runs)`,
		async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.oneof(
						tokenShaped,
						mutations.map((edits) => mutate(valid, edits)),
					),
					async (token) => {
						const value = `Bearer ${token}`;
						fc.pre(sendable(value));
						const reply = await get(server(), "/things", value);
						const [h, p, s] = token.split(".");
						const [vh, vp, vs] = valid.split(".");
						const same =
							token.split(".").length === 3 &&
							h === vh &&
							p === vp &&
							Buffer.from(s ?? "", "base64url").equals(Buffer.from(vs ?? "", "base64url"));
						expectContractAnswer(reply, same);
					},
				),
				{ numRuns: tokens.numRuns },
			);
		},
		tokens.timeout,
	);

	const raw = runs(40);
	it(
		`answers raw bytes (control characters included) with a documented status or Node's own 400, never a 500 (${raw.numRuns} runs)`,
		async () => {
			await fc.assert(
				fc.asyncProperty(authorizationValue, async (value) => {
					fc.pre(!/[\r\n]/.test(value));
					const reply = await sendRaw(server().port, { path: "/things", authorization: value });
					// Node's parser (Fastify: its clientError handler) refused the bytes before any middleware ran.
					if (reply.status === 400 && reply.headers["www-authenticate"] === undefined) return;
					expectContractAnswer(reply, false);
				}),
				{ numRuns: raw.numRuns },
			);
		},
		raw.timeout,
	);

	it("is still up: a valid token gets 200", async () => {
		expect((await get(server(), "/things", `Bearer ${valid}`)).status).toBe(200);
	});
});
