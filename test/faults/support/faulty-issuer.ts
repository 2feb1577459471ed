import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { forge } from "../../security/support/forge.js";

/**
 * A real issuer on loopback that fails on demand: down (nothing listens on its port), hanging,
 * dripping a byte a second, redirecting to itself, answering HTML, 500 or a 5 MiB body, or serving a
 * JWKS of our choosing after a delay. It counts the requests it gets, by kind.
 */

/** How the JWKS (and discovery) requests are answered. */
export type Fault = "none" | "hang" | "drip" | "redirect" | "html" | "status500" | "huge" | "huge-chunked";

/** A signing key of the issuer. */
export interface IssuerKey {
	readonly kid: string;
	readonly privateKey: KeyObject;
	/** The public JWK as published. */
	readonly jwk: Record<string, unknown>;
}

const pairs = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

/**
 * An RSA signing key published as `kid` with `extra` JWK members. Key material is generated once per
 * `(bits, slot)` and reused (RSA generation is slow); different slots are different keys.
 */
export function rsaKey(
	kid: string,
	options: { bits?: number; slot?: number; extra?: Record<string, unknown> } = {},
): IssuerKey {
	const { bits = 2048, slot = 0, extra = {} } = options;
	const id = `${bits}#${slot}`;
	let pair = pairs.get(id);
	if (pair === undefined) {
		pair = generateKeyPairSync("rsa", { modulusLength: bits });
		pairs.set(id, pair);
	}
	const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig", ...extra };
	return { kid, privateKey: pair.privateKey, jwk };
}

export interface FaultyIssuer {
	readonly issuer: string;
	readonly jwksUri: string;
	readonly audience: string;
	/** The current failure mode. */
	fault: Fault;
	/** The published keys (JSON `{"keys": [...]}` of their `jwk`), unless `jwksBody` is set. */
	keys: IssuerKey[];
	/** A raw JWKS body to serve instead of `keys`. */
	jwksBody: string | undefined;
	/** Milliseconds to wait before a JWKS answer (a slow but working issuer). */
	delayMs: number;
	readonly requests: { readonly discovery: number; readonly jwks: number };
	/** Signs a valid token (fresh jti) with one of `keys`, or any key. */
	sign(key: IssuerKey, claims?: Record<string, unknown>): string;
	/** Stops listening and drops every connection: the issuer is down. */
	stop(): Promise<void>;
	/** Listens again on the same port. */
	start(): Promise<void>;
	close(): Promise<void>;
}

const FIVE_MIB = 5 * 1024 * 1024;

/** Starts the issuer (listening unless `down`). */
export async function startFaultyIssuer(options: { down?: boolean } = {}): Promise<FaultyIssuer> {
	const timers = new Set<NodeJS.Timeout>();
	const counts = { discovery: 0, jwks: 0 };
	let port = 0;
	let listening = false;

	const self: FaultyIssuer = {
		issuer: "",
		jwksUri: "",
		audience: "https://api.faults.test",
		fault: "none",
		keys: [rsaKey("k1")],
		jwksBody: undefined,
		delayMs: 0,
		requests: counts,
		sign(key, claims = {}) {
			const now = Math.floor(Date.now() / 1000);
			return forge({
				header: { alg: "RS256", kid: key.kid },
				payload: {
					iss: self.issuer,
					aud: self.audience,
					sub: "user_123",
					iat: now,
					exp: now + 600,
					jti: randomUUID(),
					...claims,
				},
				alg: "RS256",
				key: key.privateKey,
			});
		},
		stop: async () => {
			if (!listening) return;
			listening = false;
			for (const timer of timers) clearInterval(timer);
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		start: async () => {
			if (listening) return;
			await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
			listening = true;
			port = (server.address() as AddressInfo).port;
		},
		close: () => self.stop(),
	};

	function answerFault(res: ServerResponse, body: () => string): void {
		switch (self.fault) {
			case "hang":
				return; // never answers; the connection stays open until the client gives up
			case "drip": {
				res.writeHead(200, { "content-type": "application/json" });
				const timer = setInterval(() => res.write(" "), 1000);
				timers.add(timer);
				res.on("close", () => clearInterval(timer));
				return;
			}
			case "redirect":
				res.writeHead(302, { location: self.jwksUri }).end();
				return;
			case "html":
				res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><h1>Welcome to nginx!</h1>");
				return;
			case "status500":
				res.writeHead(500, { "content-type": "application/json" }).end('{"error":"boom"}');
				return;
			case "huge":
			case "huge-chunked": {
				const headers: Record<string, string> = { "content-type": "application/json" };
				if (self.fault === "huge") headers["content-length"] = String(FIVE_MIB);
				res.writeHead(200, headers);
				const chunk = Buffer.alloc(64 * 1024, 0x20);
				let sent = 0;
				const pump = () => {
					while (sent < FIVE_MIB && !res.destroyed) {
						sent += chunk.length;
						if (!res.write(chunk)) {
							res.once("drain", pump);
							return;
						}
					}
					res.end();
				};
				res.on("error", () => undefined);
				pump();
				return;
			}
			case "none": {
				const send = () => {
					res.writeHead(200, { "content-type": "application/json" }).end(body());
				};
				if (self.delayMs === 0) send();
				else timers.add(setTimeout(send, self.delayMs));
			}
		}
	}

	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const path = (req.url ?? "/").split("?")[0];
		if (path === "/.well-known/openid-configuration") {
			counts.discovery++;
			answerFault(res, () => JSON.stringify({ issuer: self.issuer, jwks_uri: self.jwksUri }));
		} else if (path === "/jwks.json") {
			counts.jwks++;
			answerFault(res, () => self.jwksBody ?? JSON.stringify({ keys: self.keys.map((key) => key.jwk) }));
		} else {
			res.writeHead(404).end();
		}
	});
	server.keepAliveTimeout = 1000;

	await self.start();
	Object.assign(self, { issuer: `http://127.0.0.1:${port}`, jwksUri: `http://127.0.0.1:${port}/jwks.json` });
	if (options.down) await self.stop();
	return self;
}
