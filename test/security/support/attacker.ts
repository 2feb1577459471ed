import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ATTACKER_CERT_DER, ATTACKER_CERT_KEY } from "./attacker-cert.js";

/**
 * The attacker's own server on loopback: it answers every path with the attacker's JWKS (its RSA and
 * P-256 public keys) and its certificate, and counts every request. A token that names this server in
 * `jku` or `x5u` wins only if bearerguard fetches from it; the count proves it never does.
 */
export interface Attacker {
	/** Base URL, e.g. `http://127.0.0.1:41234`. */
	readonly url: string;
	/** Requests received so far, any path, any method. */
	readonly requests: number;
	/** Paths requested, in order (for the failure message). */
	readonly paths: readonly string[];
	/** RSA 2048 key whose certificate is {@link Attacker.certificate}. */
	readonly rsa: { readonly privateKey: KeyObject; readonly publicKey: KeyObject; readonly kid: string };
	/** An ES256 key pair. */
	readonly ec: { readonly privateKey: KeyObject; readonly publicKey: KeyObject; readonly kid: string };
	/** The self-signed certificate, base64 DER, as `x5c` carries it. */
	readonly certificate: string;
	/** The attacker's public JWKS. */
	readonly jwks: { keys: Array<Record<string, unknown>> };
	close(): Promise<void>;
}

/** Starts the attacker's server. */
export async function startAttacker(): Promise<Attacker> {
	const rsaPrivate = createPrivateKey(ATTACKER_CERT_KEY);
	const rsaPublic = createPublicKey(rsaPrivate);
	const ecPair = generateKeyPairSync("ec", { namedCurve: "P-256" });
	const jwks = {
		keys: [
			{ ...rsaPublic.export({ format: "jwk" }), kid: "attacker-rsa", alg: "RS256", use: "sig" },
			{ ...ecPair.publicKey.export({ format: "jwk" }), kid: "attacker-ec", alg: "ES256", use: "sig" },
		],
	};
	const paths: string[] = [];
	const server: Server = createServer((req, res) => {
		paths.push(req.url ?? "/");
		const body = req.url?.includes("cert")
			? `-----BEGIN CERTIFICATE-----\n${ATTACKER_CERT_DER}\n-----END CERTIFICATE-----\n`
			: JSON.stringify(jwks);
		res.writeHead(200, { "content-type": "application/json" }).end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		get requests() {
			return paths.length;
		},
		paths,
		rsa: { privateKey: rsaPrivate, publicKey: rsaPublic, kid: "attacker-rsa" },
		ec: { privateKey: ecPair.privateKey, publicKey: ecPair.publicKey, kid: "attacker-ec" },
		certificate: ATTACKER_CERT_DER,
		jwks,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
