import { X509Certificate } from "node:crypto";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	certificateThumbprint,
	createTestCertificates,
	createTestIssuer,
	type PemKeyPair,
	type TestCertificates,
} from "../src/index.js";

let certificates: TestCertificates;
let server: Server;
let port: number;

/** What the server saw of the client's certificate. */
interface Seen {
	authorized: boolean;
	thumbprint: string | null;
	subject: string | null;
}

beforeAll(async () => {
	certificates = await createTestCertificates({ clients: ["service-a", "service-b"] });
	const { ca, server: tls } = certificates;
	server = createServer({
		key: tls.key,
		cert: tls.cert,
		ca: ca.cert,
		requestCert: true,
		rejectUnauthorized: false,
	});
	server.on("request", (req, res) => {
		const socket = req.socket as TLSSocket;
		const peer = socket.getPeerCertificate();
		const seen: Seen = {
			authorized: socket.authorized,
			thumbprint: peer.raw ? certificateThumbprint(peer.raw) : null,
			subject: [peer.subject?.CN ?? []].flat()[0] ?? null,
		};
		res.setHeader("content-type", "application/json");
		res.end(JSON.stringify(seen));
	});
	await new Promise<void>((resolve) => server.listen(0, "::", resolve));
	port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(host: string, client: PemKeyPair | undefined, ca = certificates.ca.cert): Promise<Seen> {
	return new Promise((resolve, reject) => {
		const req = request(
			{ host, port, path: "/", ca, key: client?.key, cert: client?.cert, agent: false },
			(res) => {
				let body = "";
				res.setEncoding("utf8");
				res.on("data", (chunk: string) => {
					body += chunk;
				});
				res.on("end", () => resolve(JSON.parse(body) as Seen));
			},
		);
		req.on("error", reject);
		req.end();
	});
}

describe("createTestCertificates over real TLS", () => {
	it.each(["localhost", "127.0.0.1", "::1"])(
		"the server certificate is valid for %s, and the server sees the client's certificate",
		async (host) => {
			const seen = await get(host, certificates.client);
			expect(seen).toEqual({
				authorized: true,
				thumbprint: certificateThumbprint(certificates.client.cert),
				subject: "service-a",
			});
			expect(seen.thumbprint).toBe(certificates.client.thumbprint);
		},
	);

	it("each client has its own certificate and thumbprint", async () => {
		const [a, b] = certificates.clients;
		expect(certificates.client).toBe(a);
		expect(a!.commonName).toBe("service-a");
		expect(b!.commonName).toBe("service-b");
		expect(b!.thumbprint).not.toBe(a!.thumbprint);
		expect(await get("localhost", b)).toEqual({
			authorized: true,
			thumbprint: b!.thumbprint,
			subject: "service-b",
		});
	});

	it("a request without a client certificate is not authorized", async () => {
		expect(await get("localhost", undefined)).toEqual({ authorized: false, thumbprint: null, subject: null });
	});

	it("a client certificate from another CA is not authorized, and a client trusting another CA refuses the server", async () => {
		const other = await createTestCertificates();
		const seen = await get("localhost", other.client);
		expect(seen.authorized).toBe(false);
		expect(seen.thumbprint).toBe(other.client.thumbprint);
		await expect(get("localhost", certificates.client, other.ca.cert)).rejects.toMatchObject({
			code: "SELF_SIGNED_CERT_IN_CHAIN",
		});
	});

	it("a token bound with sign({ certificate }) carries the thumbprint the server sees", async () => {
		const issuer = await createTestIssuer({ algorithms: ["ES256"] });
		try {
			const token = await issuer.sign({}, { certificate: certificates.client.cert });
			const seen = await get("127.0.0.1", certificates.client);
			expect(decodeJwt(token).cnf).toEqual({ "x5t#S256": seen.thumbprint });
		} finally {
			await issuer.close();
		}
	});
});

describe("the certificates", () => {
	it("are a CA, a server certificate and client certificates, each signed by the CA", () => {
		const ca = new X509Certificate(certificates.ca.cert);
		const tls = new X509Certificate(certificates.server.cert);
		const client = new X509Certificate(certificates.client.cert);
		expect(ca.ca).toBe(true);
		expect(ca.subject).toBe("CN=bearerguard test CA");
		expect(ca.verify(ca.publicKey)).toBe(true);
		expect(tls.ca).toBe(false);
		expect(tls.checkIssued(ca)).toBe(true);
		expect(tls.verify(ca.publicKey)).toBe(true);
		expect(tls.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
		expect(tls.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
		expect(client.ca).toBe(false);
		expect(client.subject).toBe("CN=service-a");
		expect(client.verify(ca.publicKey)).toBe(true);
		expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
		expect(client.publicKey.asymmetricKeyType).toBe("ec");
		const lifetime = Date.parse(client.validTo) - Date.parse(client.validFrom);
		expect(lifetime).toBe(25 * 3_600_000);
		expect(Date.parse(client.validFrom)).toBeLessThan(Date.now() - 3_500_000);
	});

	it("take RSA keys, server names, and a lifetime", async () => {
		const rsa = await createTestCertificates({
			keyType: "rsa",
			serverNames: ["api.test", "10.0.0.1", "::ffff:1.2.3.4"],
			validFor: "2h",
		});
		const tls = new X509Certificate(rsa.server.cert);
		expect(tls.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
		expect(tls.subject).toBe("CN=api.test");
		expect(tls.subjectAltName).toBe("DNS:api.test, IP Address:10.0.0.1, IP Address:0:0:0:0:0:FFFF:102:304");
		expect(Date.parse(tls.validTo) - Date.parse(tls.validFrom)).toBe(3 * 3_600_000);
	});

	it("reject bad options with a TypeError", async () => {
		await expect(createTestCertificates({ clients: [] })).rejects.toThrow(
			new TypeError("clients must be a non-empty array of common names."),
		);
		await expect(createTestCertificates({ serverNames: [""] })).rejects.toThrow(
			new TypeError("serverNames must be a non-empty array of host names or IPs."),
		);
		await expect(createTestCertificates({ keyType: "dsa" as "ec" })).rejects.toThrow(
			new TypeError("keyType must be 'ec' or 'rsa'."),
		);
		await expect(createTestCertificates({ validFor: "-1h" })).rejects.toThrow(
			new TypeError("validFor must be a positive duration."),
		);
	});
});

describe("certificateThumbprint", () => {
	it("is base64url(SHA-256(DER)) of a PEM or DER certificate", () => {
		const der = new X509Certificate(certificates.client.cert).raw;
		expect(certificateThumbprint(der)).toBe(certificates.client.thumbprint);
		expect(certificateThumbprint(new Uint8Array(der))).toBe(certificates.client.thumbprint);
		expect(certificateThumbprint(`junk before\n${certificates.client.cert}${certificates.ca.cert}`)).toBe(
			certificates.client.thumbprint,
		);
		expect(certificates.client.thumbprint).toMatch(/^[\w-]{43}$/);
	});

	it("rejects anything else with a TypeError", () => {
		for (const value of ["", certificates.client.key, new Uint8Array(0), 42]) {
			expect(() => certificateThumbprint(value as string)).toThrow(
				new TypeError("certificate must be a PEM certificate or its DER bytes."),
			);
		}
	});
});
