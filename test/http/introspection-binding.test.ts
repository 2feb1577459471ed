/**
 * Opaque tokens bound to a key (RFC 7662 answers with `cnf`), checked by introspection against the test
 * issuer's real endpoint, on every adapter, over real TLS: a `cnf.jkt` token needs a DPoP proof of that
 * key (RFC 9449 §6.2), a `cnf["x5t#S256"]` token the client certificate (RFC 8705 §3.2). The cached
 * introspection answer never makes a bound token a bearer token.
 */
import type { AuthOptions } from "@bearerguard/core";
import {
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
import type { HttpAnswer, HttpRequest } from "../support/http.js";
import { type ClientTls, sendTls } from "../support/tls.js";

let issuer: TestIssuer;
let certs: TestCertificates;
let clientA: TestClientCertificate;
let clientB: TestClientCertificate;
let dpopKey: DpopKey;
let otherKey: DpopKey;
let apps: TestApp[];

function routes(): RouteSpec[] {
	const introspection = { ...issuer.introspectionClient };
	return [
		{ method: "GET", path: "/i", binding: true, auth: { introspection, dpop: { mode: "allowed" } } },
		{ method: "GET", path: "/i/plain", binding: true, auth: { introspection } },
		{ method: "GET", path: "/i/mtls", binding: true, auth: { introspection, mtls: {} } },
		{
			method: "GET",
			path: "/i/both",
			binding: true,
			auth: { introspection, mtls: {}, dpop: { mode: "allowed" } },
		},
	];
}

beforeAll(async () => {
	[issuer, certs, dpopKey, otherKey] = await Promise.all([
		createTestIssuer({ audience: AUDIENCE }),
		createTestCertificates({ clients: ["client-a", "client-b"] }),
		createDpopKey("ES256"),
		createDpopKey("Ed25519"),
	]);
	[clientA, clientB] = certs.clients as [TestClientCertificate, TestClientCertificate];
	const defaults: AuthOptions = { issuer: issuer.issuer, audience: AUDIENCE };
	apps = await startApps(defaults, routes(), {
		https: { key: certs.server.key, cert: certs.server.cert, requestCert: true, rejectUnauthorized: false },
	});
});

afterAll(async () => {
	await Promise.all((apps ?? []).map((app) => app.close()));
	await issuer?.close();
});

const get = (path: string, authorization: string, headers: Record<string, string> = {}): HttpRequest => ({
	method: "GET",
	path,
	headers: { authorization, ...headers },
});
const tlsWith = (client?: TestClientCertificate): ClientTls => ({
	ca: certs.ca.cert,
	...(client !== undefined && { key: client.key, cert: client.cert }),
});

/** One request per app (built per app: a proof names the app's URL), each checked exactly, all alike. */
async function everywhere(
	build: (
		app: TestApp,
	) => Promise<{ request: HttpRequest; tls: ClientTls }> | { request: HttpRequest; tls: ClientTls },
	expected: BindingExpected,
): Promise<void> {
	const answers: HttpAnswer[] = [];
	for (const app of apps) {
		const { request, tls } = await build(app);
		const answer = await sendTls(app, request, tls);
		checkBinding(app, answer, expected);
		answers.push(answer);
	}
	expectSameEverywhere(answers);
}

describe("an opaque token bound to a DPoP key (introspection answers cnf.jkt)", () => {
	let token: string;
	beforeAll(() => {
		token = issuer.issueOpaqueToken({}, { dpopKey });
	});
	const proof = (app: TestApp, path: string, key = dpopKey, bound = token) =>
		issuer.dpopProof({ method: "GET", url: `${app.url}${path}`, token: bound, key });

	it("as DPoP with a proof of that key: 200, source introspection, scheme DPoP", async () => {
		const before = issuer.requests.introspection;
		await everywhere(
			async (app) => ({
				request: get("/i", `DPoP ${token}`, { dpop: await proof(app, "/i") }),
				tls: tlsWith(),
			}),
			accepted("DPoP", "introspection", { jkt: dpopKey.jkt }),
		);
		expect(issuer.requests.introspection - before).toBeGreaterThanOrEqual(1);
	});

	it("as Bearer: 401 token_dpop_bound, also once its introspection answer is cached, and with dpop off", async () => {
		await everywhere(
			() => ({ request: get("/i", `Bearer ${token}`), tls: tlsWith() }),
			refused("token_dpop_bound"),
		);
		await everywhere(
			() => ({ request: get("/i/plain", `Bearer ${token}`), tls: tlsWith() }),
			refused("token_dpop_bound"),
		);
	});

	it("as DPoP without a proof: 401 invalid_dpop_proof dpop_proof_missing", async () => {
		await everywhere(
			() => ({ request: get("/i", `DPoP ${token}`), tls: tlsWith() }),
			refused("dpop_proof_missing", "DPoP"),
		);
	});

	it("as DPoP with a proof of another key: 401 dpop_proof_jkt", async () => {
		await everywhere(
			async (app) => ({
				request: get("/i", `DPoP ${token}`, { dpop: await proof(app, "/i", otherKey) }),
				tls: tlsWith(),
			}),
			refused("dpop_proof_jkt", "DPoP"),
		);
	});

	it("the same proof twice: the second is 401 dpop_proof_replayed", async () => {
		for (const app of apps) {
			const request = get("/i", `DPoP ${token}`, { dpop: await proof(app, "/i") });
			checkBinding(
				app,
				await sendTls(app, request, tlsWith()),
				accepted("DPoP", "introspection", { jkt: dpopKey.jkt }),
			);
			checkBinding(app, await sendTls(app, request, tlsWith()), refused("dpop_proof_replayed", "DPoP"));
		}
	});

	it("an unbound opaque token as DPoP: 401 token_not_dpop_bound with the DPoP challenge", async () => {
		const unbound = issuer.issueOpaqueToken();
		await everywhere(
			async (app) => ({
				request: get("/i", `DPoP ${unbound}`, { dpop: await proof(app, "/i", dpopKey, unbound) }),
				tls: tlsWith(),
			}),
			refused("token_not_dpop_bound", "DPoP"),
		);
		await everywhere(
			() => ({ request: get("/i", `Bearer ${unbound}`), tls: tlsWith() }),
			accepted("Bearer", "introspection", null),
		);
	});

	it("cnf given as a claim with other members (cnf: { jkt, kid }): bound by jkt alone", async () => {
		const keycloak = issuer.issueOpaqueToken({}, { cnf: { jkt: dpopKey.jkt, kid: "x" } });
		await everywhere(
			async (app) => ({
				request: get("/i", `DPoP ${keycloak}`, { dpop: await proof(app, "/i", dpopKey, keycloak) }),
				tls: tlsWith(),
			}),
			accepted("DPoP", "introspection", { jkt: dpopKey.jkt }),
		);
		await everywhere(
			() => ({ request: get("/i", `Bearer ${keycloak}`), tls: tlsWith() }),
			refused("token_dpop_bound"),
		);
	});
});

describe("an opaque token bound to a client certificate (introspection answers cnf x5t#S256)", () => {
	let token: string;
	beforeAll(() => {
		token = issuer.issueOpaqueToken({}, { certificate: clientA.cert });
	});

	it("over mTLS with that certificate: 200, source introspection", async () => {
		await everywhere(
			() => ({ request: get("/i/mtls", `Bearer ${token}`), tls: tlsWith(clientA) }),
			accepted("Bearer", "introspection", { "x5t#S256": clientA.thumbprint }),
		);
	});

	it("another certificate: certificate_mismatch; none: certificate_missing (the answer cached)", async () => {
		await everywhere(
			() => ({ request: get("/i/mtls", `Bearer ${token}`), tls: tlsWith(clientB) }),
			refused("certificate_mismatch"),
		);
		await everywhere(
			() => ({ request: get("/i/mtls", `Bearer ${token}`), tls: tlsWith() }),
			refused("certificate_missing"),
		);
	});

	it("where mtls is not configured: 401 token_certificate_bound", async () => {
		await everywhere(
			() => ({ request: get("/i/plain", `Bearer ${token}`), tls: tlsWith(clientA) }),
			refused("token_certificate_bound"),
		);
	});

	it("bound to a DPoP key and a certificate: proof and certificate both needed", async () => {
		const both = issuer.issueOpaqueToken({}, { dpopKey, certificate: clientA.cert });
		const proofFor = async (app: TestApp) => ({
			dpop: await issuer.dpopProof({ method: "GET", url: `${app.url}/i/both`, token: both, key: dpopKey }),
		});
		await everywhere(
			async (app) => ({
				request: get("/i/both", `DPoP ${both}`, await proofFor(app)),
				tls: tlsWith(clientA),
			}),
			accepted("DPoP", "introspection", { jkt: dpopKey.jkt, "x5t#S256": clientA.thumbprint }),
		);
		await everywhere(
			async (app) => ({ request: get("/i/both", `DPoP ${both}`, await proofFor(app)), tls: tlsWith() }),
			refused("certificate_missing", "DPoP"),
		);
		await everywhere(
			() => ({ request: get("/i/both", `Bearer ${both}`), tls: tlsWith(clientA) }),
			refused("token_dpop_bound"),
		);
	});
});
