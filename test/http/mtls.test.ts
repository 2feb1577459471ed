/**
 * Certificate-bound tokens (RFC 8705 §3) on every adapter, over real TLS: each app is an HTTPS server
 * that requests a client certificate, either without checking its chain (RFC 8705's self-signed
 * binding: the token's `cnf["x5t#S256"]` is what authenticates the certificate) or against a CA
 * (`rejectUnauthorized: true`); the client presents its certificate with `node:https`. Then the
 * trusted-header path behind a TLS-terminating proxy (plain HTTP, the certificate in a header the proxy
 * sets) and the function form. Every answer is checked exactly and is the same on every adapter.
 */
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { AuthOptions } from "@bearerguard/core";
import {
	certificateThumbprint,
	createDpopKey,
	createTestCertificates,
	createTestIssuer,
	type DpopKey,
	type TestCertificates,
	type TestClientCertificate,
	type TestIssuer,
} from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RouteSpec, startApps, type TestApp } from "../support/apps.js";
import {
	accepted,
	type BindingExpected,
	checkBinding,
	expectSameEverywhere,
	refused,
} from "../support/binding.js";
import { AUDIENCE } from "../support/fixture.js";
import { type HttpAnswer, type HttpRequest, send } from "../support/http.js";
import { type ClientTls, sendTls } from "../support/tls.js";

let issuer: TestIssuer;
/** The CA the servers trust (when they check chains) and the clients it signed: A and B. */
let certs: TestCertificates;
/** Another CA: its own self-signed certificate serves as a client certificate nobody signed. */
let stranger: TestCertificates;
let clientA: TestClientCertificate;
let clientB: TestClientCertificate;
/** A self-signed client certificate (another test CA's own certificate). */
let selfSigned: { key: string; cert: string; thumbprint: string };
let dpopKey: DpopKey;
/** HTTPS apps that request a client certificate and take any (`rejectUnauthorized: false`). */
let tlsApps: TestApp[];
/** HTTPS apps that require a client certificate signed by `certs.ca` (`rejectUnauthorized: true`). */
let caApps: TestApp[];
/** Plain HTTP apps behind a (simulated) TLS-terminating proxy: the certificate comes in a header. */
let proxiedApps: TestApp[];

const HEADER = "x-client-cert";

/** A header value of the request, whatever the framework's request is (Hono's `c` included). */
function headerOf(request: unknown, name: string): string | undefined {
	const hono = (request as { req?: { header?: (name: string) => string | undefined } }).req;
	if (typeof hono?.header === "function") return hono.header(name);
	const value = (request as { headers?: Record<string, string | string[] | undefined> }).headers?.[name];
	return typeof value === "string" ? value : undefined;
}

function tlsRoutes(): RouteSpec[] {
	return [
		{ method: "GET", path: "/m", binding: true, auth: { mtls: { certificate: "socket" } } },
		{ method: "GET", path: "/m/default", binding: true, auth: { mtls: {} } },
		{ method: "GET", path: "/m/required", binding: true, auth: { mtls: { required: true } } },
		{ method: "GET", path: "/none", binding: true },
		{ method: "GET", path: "/both", binding: true, auth: { mtls: {}, dpop: { mode: "allowed" } } },
	];
}

function proxiedRoutes(): RouteSpec[] {
	const fromHeader = (request: unknown) => headerOf(request, HEADER);
	return [
		{
			method: "GET",
			path: "/h",
			binding: true,
			auth: { mtls: { certificate: { header: "X-Client-Cert" } } },
		},
		// 'socket' on a plain HTTP server: there is never a certificate (a header is not read).
		{ method: "GET", path: "/s", binding: true, auth: { mtls: { certificate: "socket" } } },
		// The function form: an X509Certificate, DER bytes, text, or a function that throws.
		{
			method: "GET",
			path: "/f/x509",
			binding: true,
			auth: {
				mtls: {
					certificate: (request) => {
						const pem = fromHeader(request);
						return pem === undefined ? undefined : new X509Certificate(decodeURIComponent(pem));
					},
				},
			},
		},
		{
			method: "GET",
			path: "/f/der",
			binding: true,
			auth: {
				mtls: {
					certificate: (request) => {
						const base64 = fromHeader(request);
						return base64 === undefined ? undefined : new Uint8Array(Buffer.from(base64, "base64"));
					},
				},
			},
		},
		{ method: "GET", path: "/f/text", binding: true, auth: { mtls: { certificate: fromHeader } } },
		{
			method: "GET",
			path: "/f/pem",
			binding: true,
			auth: {
				mtls: {
					certificate: (request) => {
						const escaped = fromHeader(request);
						return escaped === undefined ? undefined : decodeURIComponent(escaped);
					},
				},
			},
		},
		{
			method: "GET",
			path: "/f/throws",
			binding: true,
			auth: {
				mtls: {
					certificate: () => {
						throw new Error("the proxy sent nothing usable");
					},
				},
			},
		},
	];
}

const defaults = (): AuthOptions => ({ issuer: issuer.issuer, audience: AUDIENCE });

beforeAll(async () => {
	[issuer, certs, stranger, dpopKey] = await Promise.all([
		createTestIssuer({ audience: AUDIENCE }),
		createTestCertificates({ clients: ["client-a", "client-b"] }),
		createTestCertificates({ clients: ["unused"] }),
		createDpopKey("ES256"),
	]);
	[clientA, clientB] = certs.clients as [TestClientCertificate, TestClientCertificate];
	selfSigned = { ...stranger.ca, thumbprint: certificateThumbprint(stranger.ca.cert) };
	const server = { key: certs.server.key, cert: certs.server.cert };
	[tlsApps, caApps, proxiedApps] = await Promise.all([
		startApps(defaults(), tlsRoutes(), {
			https: { ...server, requestCert: true, rejectUnauthorized: false },
		}),
		startApps(defaults(), tlsRoutes(), {
			https: { ...server, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: true },
		}),
		startApps(defaults(), proxiedRoutes()),
	]);
});

afterAll(async () => {
	await Promise.all(
		[...(tlsApps ?? []), ...(caApps ?? []), ...(proxiedApps ?? [])].map((app) => app.close()),
	);
	await issuer?.close();
});

const get = (path: string, authorization?: string, headers: Record<string, string | string[]> = {}) =>
	({
		method: "GET",
		path,
		headers: { ...(authorization !== undefined && { authorization }), ...headers },
	}) satisfies HttpRequest;

const bearer = (token: string) => `Bearer ${token}`;
const withCert = (client?: { key: string; cert: string }): ClientTls => ({
	ca: certs.ca.cert,
	...(client !== undefined && { key: client.key, cert: client.cert }),
});

/** Sends one request per app (built per app: a DPoP proof names the app's URL), checks each exactly and that all agree. */
async function everywhere(
	apps: readonly TestApp[],
	build: (
		app: TestApp,
	) => Promise<{ request: HttpRequest; tls?: ClientTls }> | { request: HttpRequest; tls?: ClientTls },
	expected: BindingExpected,
): Promise<void> {
	const answers: HttpAnswer[] = [];
	for (const app of apps) {
		const { request, tls } = await build(app);
		const answer = tls === undefined ? await send(app, request) : await sendTls(app, request, tls);
		checkBinding(app, answer, expected);
		answers.push(answer);
	}
	expectSameEverywhere(answers);
}

describe("over TLS, any client certificate (rejectUnauthorized: false, the self-signed binding)", () => {
	it("a token bound to the certificate the client presents: 200 with auth.confirmation", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientA) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
		// `mtls: {}` reads the socket too.
		await everywhere(
			tlsApps,
			() => ({ request: get("/m/default", bearer(token)), tls: withCert(clientA) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
	});

	it("a self-signed client certificate, bound by its thumbprint alone: 200", async () => {
		const token = await issuer.sign({}, { certificate: selfSigned.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(selfSigned) }),
			accepted("Bearer", "jwt", { "x5t#S256": selfSigned.thumbprint }),
		);
	});

	it("another client certificate: 401 certificate_mismatch", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientB) }),
			refused("certificate_mismatch"),
		);
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(selfSigned) }),
			refused("certificate_mismatch"),
		);
	});

	it("no client certificate: 401 certificate_missing", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert() }),
			refused("certificate_missing"),
		);
	});

	it("a bound token where mtls is not configured: 401 token_certificate_bound, certificate or not", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/none", bearer(token)), tls: withCert(clientA) }),
			refused("token_certificate_bound"),
		);
		await everywhere(
			tlsApps,
			() => ({ request: get("/none", bearer(token)), tls: withCert() }),
			refused("token_certificate_bound"),
		);
	});

	it("mtls.required and an unbound token: 401 token_not_certificate_bound, even with a certificate", async () => {
		const token = await issuer.sign();
		await everywhere(
			tlsApps,
			() => ({ request: get("/m/required", bearer(token)), tls: withCert(clientA) }),
			refused("token_not_certificate_bound"),
		);
		const bound = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m/required", bearer(bound)), tls: withCert(clientA) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
	});

	it("an unbound token with mtls not required: 200, with or without a certificate", async () => {
		const token = await issuer.sign();
		for (const tls of [withCert(clientA), withCert()]) {
			await everywhere(
				tlsApps,
				() => ({ request: get("/m", bearer(token)), tls }),
				accepted("Bearer", "jwt", null),
			);
		}
	});

	it("cnf with other members (Keycloak style): bound by x5t#S256, the others ignored", async () => {
		const token = await issuer.sign(
			{},
			{ certificate: clientA.cert, cnf: { kid: "x", "x5t#S256": "ignored" } },
		);
		const payload = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as {
			cnf: Record<string, string>;
		};
		expect(payload.cnf).toEqual({ kid: "x", "x5t#S256": clientA.thumbprint });
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientA) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
		await everywhere(
			tlsApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientB) }),
			refused("certificate_mismatch"),
		);
	});

	it("one keep-alive connection: its certificate holds for every request on it", async () => {
		const tokenA = await issuer.sign({}, { certificate: clientA.cert });
		const tokenB = await issuer.sign({}, { certificate: clientB.cert });
		for (const app of tlsApps) {
			const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
			try {
				const tls: ClientTls = { ...withCert(clientA), agent };
				// Every TLS connection the agent opens, to show the three requests share one.
				const sockets = new Set<unknown>();
				agent.on("free", (socket: unknown) => sockets.add(socket));
				checkBinding(
					app,
					await sendTls(app, get("/m", bearer(tokenA)), tls),
					accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
				);
				checkBinding(
					app,
					await sendTls(app, get("/m", bearer(tokenB)), tls),
					refused("certificate_mismatch"),
				);
				checkBinding(
					app,
					await sendTls(app, get("/m", bearer(tokenA)), tls),
					accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
				);
				expect(sockets.size, app.name).toBe(1);
			} finally {
				agent.destroy();
			}
		}
	});

	describe("a token bound to a DPoP key and a certificate (cnf has jkt and x5t#S256)", () => {
		let token: string;
		beforeAll(async () => {
			token = await issuer.sign({}, { dpopKey, certificate: clientA.cert });
		});
		const proofFor = (app: TestApp, path: string, key = dpopKey) =>
			issuer.dpopProof({ method: "GET", url: `${app.url}${path}`, token, key });

		it("a proof and the certificate: 200, scheme DPoP, both bindings", async () => {
			await everywhere(
				tlsApps,
				async (app) => ({
					request: get("/both", `DPoP ${token}`, { dpop: await proofFor(app, "/both") }),
					tls: withCert(clientA),
				}),
				accepted("DPoP", "jwt", { jkt: dpopKey.jkt, "x5t#S256": clientA.thumbprint }),
			);
		});

		it("a proof without the certificate: 401 certificate_missing, DPoP challenge", async () => {
			await everywhere(
				tlsApps,
				async (app) => ({
					request: get("/both", `DPoP ${token}`, { dpop: await proofFor(app, "/both") }),
					tls: withCert(),
				}),
				refused("certificate_missing", "DPoP"),
			);
		});

		it("a proof with another certificate: 401 certificate_mismatch, DPoP challenge", async () => {
			await everywhere(
				tlsApps,
				async (app) => ({
					request: get("/both", `DPoP ${token}`, { dpop: await proofFor(app, "/both") }),
					tls: withCert(clientB),
				}),
				refused("certificate_mismatch", "DPoP"),
			);
		});

		it("the certificate without a proof: 401 invalid_dpop_proof (DPoP), token_dpop_bound (Bearer)", async () => {
			await everywhere(
				tlsApps,
				() => ({ request: get("/both", `DPoP ${token}`), tls: withCert(clientA) }),
				refused("dpop_proof_missing", "DPoP"),
			);
			await everywhere(
				tlsApps,
				() => ({ request: get("/both", bearer(token)), tls: withCert(clientA) }),
				refused("token_dpop_bound"),
			);
		});

		it("a proof of another key with the certificate: 401 dpop_proof_jkt", async () => {
			const other = await createDpopKey("ES256");
			await everywhere(
				tlsApps,
				async (app) => ({
					request: get("/both", `DPoP ${token}`, { dpop: await proofFor(app, "/both", other) }),
					tls: withCert(clientA),
				}),
				refused("dpop_proof_jkt", "DPoP"),
			);
		});

		it("the certificate's refusal does not use the proof up: the same proof then passes with it", async () => {
			for (const app of tlsApps) {
				const proof = await proofFor(app, "/both");
				const request = get("/both", `DPoP ${token}`, { dpop: proof });
				checkBinding(
					app,
					await sendTls(app, request, withCert(clientB)),
					refused("certificate_mismatch", "DPoP"),
				);
				checkBinding(
					app,
					await sendTls(app, request, withCert(clientA)),
					accepted("DPoP", "jwt", { jkt: dpopKey.jkt, "x5t#S256": clientA.thumbprint }),
				);
				checkBinding(
					app,
					await sendTls(app, request, withCert(clientA)),
					refused("dpop_proof_replayed", "DPoP"),
				);
			}
		});
	});
});

describe("over TLS, client certificates checked against a CA (rejectUnauthorized: true)", () => {
	it("a CA-signed certificate the token is bound to: 200", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			caApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientA) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
	});

	it("another CA-signed certificate: 401 certificate_mismatch", async () => {
		const token = await issuer.sign({}, { certificate: clientA.cert });
		await everywhere(
			caApps,
			() => ({ request: get("/m", bearer(token)), tls: withCert(clientB) }),
			refused("certificate_mismatch"),
		);
	});

	it("no certificate, or one the CA did not sign: the TLS handshake fails, no HTTP answer at all", async () => {
		const token = await issuer.sign({}, { certificate: selfSigned.cert });
		for (const app of caApps) {
			await expect(sendTls(app, get("/m", bearer(token)), withCert()), app.name).rejects.toThrow();
			await expect(sendTls(app, get("/m", bearer(token)), withCert(selfSigned)), app.name).rejects.toThrow();
		}
	});
});

describe("behind a TLS-terminating proxy: the certificate in a trusted header (plain HTTP)", () => {
	let token: string;
	let formats: Record<"escaped" | "apache" | "der", string>;
	beforeAll(async () => {
		token = await issuer.sign({}, { certificate: clientA.cert });
		const pem = clientA.cert;
		formats = {
			// nginx's $ssl_client_escaped_cert (and AWS ALB's X-Amzn-Mtls-Clientcert): the PEM, URL-encoded.
			escaped: encodeURIComponent(pem),
			// A PEM on one line (a header holds no line break): Apache's "%{SSL_CLIENT_CERT}s", line breaks as spaces.
			apache: pem.trim().replace(/\n/g, " "),
			// HAProxy's %[ssl_c_der,base64]: base64 DER.
			der: Buffer.from(new X509Certificate(pem).raw).toString("base64"),
		};
	});

	it.each(["escaped", "apache", "der"] as const)("%s: the bound certificate: 200", async (format) => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/h", bearer(token), { [HEADER]: formats[format] }) }),
			accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint }),
		);
	});

	it("another certificate in the header: 401 certificate_mismatch", async () => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/h", bearer(token), { [HEADER]: encodeURIComponent(clientB.cert) }) }),
			refused("certificate_mismatch"),
		);
	});

	it("'socket' on plain HTTP: 401 certificate_missing, whatever header the client sends", async () => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/s", bearer(token), { [HEADER]: encodeURIComponent(clientA.cert) }) }),
			refused("certificate_missing"),
		);
	});

	it("no header: 401 certificate_missing", async () => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/h", bearer(token)) }),
			refused("certificate_missing"),
		);
	});

	it.each<[string, () => string]>([
		["garbage", () => "not a certificate"],
		["base64 that is no certificate", () => Buffer.from("hello world").toString("base64")],
		["a truncated PEM, URL-encoded", () => encodeURIComponent(clientA.cert.slice(0, 200))],
		["a broken URL encoding", () => "-----BEGIN%20CERTIFICATE-----%0AMII%ZZ"],
		["an empty value", () => ""],
	])("%s in the header: 401 certificate_missing", async (_name, value) => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/h", bearer(token), { [HEADER]: value() }) }),
			refused("certificate_missing"),
		);
	});

	it("two header lines (the bound certificate twice): 401 certificate_missing", async () => {
		const escaped = encodeURIComponent(clientA.cert);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/h", bearer(token), { [HEADER]: [escaped, escaped] }) }),
			refused("certificate_missing"),
		);
	});

	it("the function form: an X509Certificate, DER bytes, PEM or URL-encoded PEM text from the request", async () => {
		const escaped = encodeURIComponent(clientA.cert);
		const der = Buffer.from(new X509Certificate(clientA.cert).raw).toString("base64");
		const ok = accepted("Bearer", "jwt", { "x5t#S256": clientA.thumbprint });
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/x509", bearer(token), { [HEADER]: escaped }) }),
			ok,
		);
		await everywhere(proxiedApps, () => ({ request: get("/f/der", bearer(token), { [HEADER]: der }) }), ok);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/text", bearer(token), { [HEADER]: escaped }) }),
			ok,
		);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/pem", bearer(token), { [HEADER]: escaped }) }),
			ok,
		);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/x509", bearer(token), { [HEADER]: encodeURIComponent(clientB.cert) }) }),
			refused("certificate_mismatch"),
		);
	});

	it("the function form: undefined, or a function that throws: 401 certificate_missing", async () => {
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/x509", bearer(token)) }),
			refused("certificate_missing"),
		);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/der", bearer(token)) }),
			refused("certificate_missing"),
		);
		await everywhere(
			proxiedApps,
			() => ({ request: get("/f/throws", bearer(token), { [HEADER]: encodeURIComponent(clientA.cert) }) }),
			refused("certificate_missing"),
		);
	});
});
