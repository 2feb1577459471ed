/**
 * DPoP's `htu` on Hono: `@hono/node-server` makes an absolute-form request target (`GET https://other/v1`)
 * the request's URL as sent, so the reader must not hand it to the core as the URL a proof is compared
 * with: a proof made for another server (and the token sent there) would be accepted here.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthEnv, requireAuth } from "../src/index.js";
import { nodeServer } from "./support.js";

let issuer: TestIssuer;
let server: Server;
let port: number;

beforeAll(async () => {
	issuer = await createTestIssuer();
	const app = new Hono<AuthEnv>();
	app.use(requireAuth({ issuer: issuer.issuer, audience: issuer.audience, dpop: { mode: "required" } }));
	app.get("/v1/payments", (c) => c.json({ scheme: c.get("auth")?.scheme ?? null }));
	server = nodeServer(app).listen(0, "127.0.0.1");
	await once(server, "listening");
	port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
	server?.closeAllConnections();
	await new Promise((closed) => server?.close(closed));
	await issuer?.close();
});

/** Sends one raw HTTP/1.1 request (the request target as given) and reads the answer. */
function send(target: string, headers: Record<string, string>) {
	return new Promise<{ status: number; headers: Record<string, string>; body: unknown }>(
		(resolve, reject) => {
			const socket = connect(port, "127.0.0.1", () => {
				const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers, connection: "close" });
				socket.write(
					`GET ${target} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join("\r\n")}\r\n\r\n`,
				);
			});
			let raw = "";
			socket.setEncoding("utf8");
			socket.on("data", (chunk) => {
				raw += chunk;
			});
			socket.on("error", reject);
			socket.on("end", () => {
				const [head = "", body = ""] = raw.split("\r\n\r\n");
				const [status = "", ...fields] = head.split("\r\n");
				const parsed: Record<string, string> = {};
				for (const field of fields) {
					const colon = field.indexOf(":");
					parsed[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
				}
				resolve({ status: Number(status.split(" ")[1]), headers: parsed, body: JSON.parse(body) as unknown });
			});
		},
	);
}

const ALGS = 'algs="ES256 Ed25519 EdDSA PS256 RS256"';

describe("DPoP on Hono: the URL a proof is compared with", () => {
	it("accepts a proof for the URL called with an origin-form target", async () => {
		const token = await issuer.sign({}, { dpopKey: issuer.dpopKey });
		const proof = await issuer.dpopProof({
			method: "GET",
			url: `http://127.0.0.1:${port}/v1/payments`,
			token,
		});
		const answer = await send("/v1/payments", { authorization: `DPoP ${token}`, dpop: proof });
		expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { scheme: "DPoP" } });
	});

	it.each([
		["https", "https://other.example/v1/payments"],
		["http", "http://other.example/v1/payments"],
		["this server's own origin", "http://127.0.0.1:PORT/v1/payments"],
	])("refuses an absolute-form target (%s), whatever the proof names", async (_label, template) => {
		const url = template.replace("PORT", String(port));
		const token = await issuer.sign({}, { dpopKey: issuer.dpopKey });
		const proof = await issuer.dpopProof({ method: "GET", url, token });
		const answer = await send(url, { authorization: `DPoP ${token}`, dpop: proof });
		expect({
			status: answer.status,
			challenge: answer.headers["www-authenticate"],
			cache: answer.headers["cache-control"],
			body: answer.body,
		}).toEqual({
			status: 401,
			challenge: `DPoP realm="api", error="invalid_dpop_proof", error_description="DPoP proof is for another URL", ${ALGS}`,
			cache: "no-store",
			body: { error: "invalid_dpop_proof", message: "DPoP proof is for another URL" },
		});
	});
});
