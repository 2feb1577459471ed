/**
 * DPoP (RFC 9449) over real HTTP on every adapter, byte for byte the same answers (status,
 * `WWW-Authenticate`, `DPoP-Nonce`, `Content-Type`, `Cache-Control`, `Retry-After`, body). Proofs come
 * from the independent `dpop` package, from the test issuer (`issuer.dpopProof`) and, for forgeries, from
 * jose's `SignJWT` or by hand.
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import { type AuthOptions, createMemoryReplayStore, type ReplayStore } from "@bearerguard/core";
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from "@bearerguard/testing";
import * as dpop from "dpop";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RouteSpec, startApps, type TestApp } from "../support/apps.js";

const AUDIENCE = "https://api.apiera.io";
const ALGS = "ES256 Ed25519 EdDSA PS256 RS256";
const NONCE_SECRET = "nonce secret of the DPoP tests, 32+ bytes";
const OTHER_SECRET = "another nonce secret, also 32 bytes or more";

/** What the tests pin down of an answer. */
interface Answer {
	readonly status: number;
	readonly headers: {
		readonly "www-authenticate": string | undefined;
		readonly "dpop-nonce": string | undefined;
		readonly "content-type": string | undefined;
		readonly "cache-control": string | undefined;
		readonly "retry-after": string | undefined;
	};
	readonly body: string;
}

interface Request {
	readonly method?: "GET" | "POST";
	readonly path: string;
	/** A list sends that many header lines. */
	readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** Sends `req` with node:http (so `Host` and duplicated headers go as given). */
function send(app: TestApp, req: Request): Promise<Answer> {
	const url = new URL(app.url);
	return new Promise((resolve, reject) => {
		const outgoing = http.request(
			{
				host: url.hostname,
				port: url.port,
				method: req.method ?? "GET",
				path: req.path,
				headers: Object.fromEntries(
					Object.entries(req.headers ?? {}).map(([name, value]) => [
						name,
						typeof value === "string" ? value : [...value],
					]),
				),
				agent: false,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on("data", (chunk: Buffer) => chunks.push(chunk));
				res.on("end", () => {
					const header = (name: string) => {
						const value = res.headers[name];
						return typeof value === "string" ? value : undefined;
					};
					resolve({
						status: res.statusCode ?? 0,
						headers: {
							"www-authenticate": header("www-authenticate"),
							"dpop-nonce": header("dpop-nonce"),
							"content-type": header("content-type"),
							"cache-control": header("cache-control"),
							"retry-after": header("retry-after"),
						},
						body: Buffer.concat(chunks).toString("utf8"),
					});
				});
				res.on("error", reject);
			},
		);
		outgoing.on("error", reject);
		outgoing.end();
	});
}

const MESSAGES = {
	dpop_proof_missing: "Missing DPoP proof",
	dpop_proof_duplicated: "More than one DPoP proof",
	dpop_proof_malformed: "Malformed DPoP proof",
	dpop_proof_typ: "DPoP proof has an unexpected type",
	dpop_proof_alg: "DPoP proof algorithm is not allowed",
	dpop_proof_key: "DPoP proof key is invalid",
	dpop_proof_signature: "Invalid DPoP proof signature",
	dpop_proof_htm: "DPoP proof is for another method",
	dpop_proof_htu: "DPoP proof is for another URL",
	dpop_proof_expired: "DPoP proof is too old",
	dpop_proof_future: "DPoP proof is issued in the future",
	dpop_proof_ath: "DPoP proof is for another access token",
	dpop_proof_jkt: "DPoP proof key does not match the token binding",
	dpop_proof_replayed: "DPoP proof has already been used",
	dpop_nonce_required: "DPoP proof must carry the resource server's nonce",
	dpop_nonce_invalid: "DPoP proof nonce is invalid or expired",
	token_dpop_bound: "Token is bound to a DPoP key and must be sent with a DPoP proof",
	token_not_dpop_bound: "Token is not bound to a DPoP key",
} as const;
type Reason = keyof typeof MESSAGES;

const NO_HEADERS = {
	"www-authenticate": undefined,
	"dpop-nonce": undefined,
	"content-type": undefined,
	"cache-control": undefined,
	"retry-after": undefined,
};

/** A refusal: the JSON error body, `no-store`, the challenge given (and a `DPoP-Nonce` when given). */
function refusal(
	status: number,
	code: string,
	message: string,
	challenge: string | undefined,
	extra: Partial<Answer["headers"]> = {},
): Answer {
	return {
		status,
		headers: {
			...NO_HEADERS,
			"www-authenticate": challenge,
			"content-type": "application/json",
			"cache-control": "no-store",
			...extra,
		},
		body: JSON.stringify({ error: code, message }),
	};
}

const dpopChallenge = (code: string, message: string, scope?: string) =>
	`DPoP realm="api", error="${code}", error_description="${message}"${scope === undefined ? "" : `, scope="${scope}"`}, algs="${ALGS}"`;

/** 401 `invalid_dpop_proof` for `reason`, with the DPoP challenge. */
const badProof = (reason: Reason): Answer =>
	refusal(401, "invalid_dpop_proof", MESSAGES[reason], dpopChallenge("invalid_dpop_proof", MESSAGES[reason]));

/** 401 `invalid_token` for `reason` on a DPoP request: the DPoP challenge. */
const badTokenDpop = (reason: Reason): Answer =>
	refusal(401, "invalid_token", MESSAGES[reason], dpopChallenge("invalid_token", MESSAGES[reason]));

/** 401 `invalid_token` for `reason` on a Bearer request: the Bearer challenge. */
const badTokenBearer = (reason: Reason): Answer =>
	refusal(
		401,
		"invalid_token",
		MESSAGES[reason],
		`Bearer realm="api", error="invalid_token", error_description="${MESSAGES[reason]}"`,
	);

/** 401 `use_dpop_nonce` with the nonce to use. */
const useNonce = (reason: "dpop_nonce_required" | "dpop_nonce_invalid", nonce: string): Answer =>
	refusal(401, "use_dpop_nonce", MESSAGES[reason], dpopChallenge("use_dpop_nonce", MESSAGES[reason]), {
		"dpop-nonce": nonce,
	});

/** 200 with the DPoP summary of the token bound to `jkt` (a JWT unless `source` says otherwise). */
function success(jkt: string, extra: Partial<Answer["headers"]> = {}, source = "jwt"): Answer {
	return {
		status: 200,
		headers: { ...NO_HEADERS, "content-type": "application/json; charset=utf-8", ...extra },
		body: JSON.stringify({
			auth: {
				subject: "user_123",
				issuer: issuer.issuer,
				organization: null,
				permissions: [],
				hasExpiry: true,
				scheme: "DPoP",
				source,
				confirmation: { jkt },
			},
		}),
	};
}

let issuer: TestIssuer;
let apps: TestApp[];
/** A second instance of every app, sharing `shared` with the first as their replay store. */
let twins: TestApp[];
/** Every app behind a trusted proxy. */
let proxied: TestApp[];
const shared = createMemoryReplayStore();
const throwing: ReplayStore = {
	claim: () => {
		throw new Error("connect ECONNREFUSED 10.0.0.9:6379");
	},
};
const rejecting: ReplayStore = { claim: async () => Promise.reject(new Error("READONLY replica")) };

const routes = (): RouteSpec[] => {
	const route = (path: string, auth: AuthOptions, method: "GET" | "POST" = "GET"): RouteSpec => ({
		method,
		path,
		auth,
	});
	return [
		route("/d", { dpop: { mode: "allowed" } }),
		route("/d", { dpop: { mode: "allowed" } }, "POST"),
		route("/d/required", { dpop: { mode: "required" } }),
		route("/d/nonce", { dpop: { nonce: { secret: NONCE_SECRET } } }),
		route("/d/nonce-other", { dpop: { nonce: { secret: OTHER_SECRET } } }),
		route("/d/scope", { dpop: {}, permissions: ["admin"] }),
		route("/d/off", {}),
		route("/d/throws", { dpop: { replay: throwing } }),
		route("/d/rejects", { dpop: { replay: rejecting } }),
		route("/d/shared", { dpop: { replay: shared } }),
		route("/d/opaque", { dpop: {}, introspection: { ...issuer.introspectionClient, cacheMaxAge: 0 } }),
		route("/d/opaque-off", { introspection: { ...issuer.introspectionClient, cacheMaxAge: 0 } }),
	];
};

beforeAll(async () => {
	issuer = await createTestIssuer({ audience: AUDIENCE });
	const defaults = { issuer: issuer.issuer, audience: AUDIENCE };
	[apps, twins, proxied] = await Promise.all([
		startApps(defaults, routes()),
		startApps(defaults, [{ method: "GET", path: "/d/shared", auth: { dpop: { replay: shared } } }]),
		startApps(defaults, [{ method: "GET", path: "/d", auth: { dpop: {} } }], { trustProxy: true }),
	]);
});

afterAll(async () => {
	await Promise.all([...(apps ?? []), ...(twins ?? []), ...(proxied ?? [])].map((app) => app.close()));
	await issuer?.close();
});

afterEach(() => {
	vi.useRealTimers();
});

/** A token bound to the issuer's own DPoP key (or `key`). */
const boundToken = (key?: DpopKey) => issuer.sign({}, { dpopKey: key ?? issuer.dpopKey });

/** `Authorization: DPoP` and a proof for `method` and the app's `path`, made by the test issuer. */
async function dpopRequest(
	app: TestApp,
	path: string,
	options: {
		token?: string;
		method?: "GET" | "POST";
		proof?: Parameters<TestIssuer["dpopProof"]>[0] extends infer O ? Partial<O> : never;
	} = {},
): Promise<Request> {
	const token = options.token ?? (await boundToken());
	const method = options.method ?? "GET";
	const proof = await issuer.dpopProof({ method, url: `${app.url}${path}`, token, ...options.proof });
	return { method, path, headers: { authorization: `DPoP ${token}`, dpop: proof } };
}

/** Sends one request per app (built for it) and checks every answer is exactly `expected`. */
async function everywhere(
	set: readonly TestApp[],
	build: (app: TestApp) => Promise<Request> | Request,
	expected: Answer | ((app: TestApp) => Answer),
): Promise<void> {
	const answers = await Promise.all(
		set.map(async (app) => ({ app: app.name, ...(await send(app, await build(app))) })),
	);
	expect(answers).toEqual(
		set.map((app) => ({ app: app.name, ...(typeof expected === "function" ? expected(app) : expected) })),
	);
	for (const app of set) expect(app.errors).toEqual([]);
}

/** A proof signed by hand with jose's SignJWT: any header, any claims. */
async function forged(
	header: Record<string, unknown>,
	claims: Record<string, unknown>,
	key: Parameters<SignJWT["sign"]>[0],
): Promise<string> {
	return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

const now = () => Math.floor(Date.now() / 1000);
/** base64url(SHA-256(token)), computed here, not by the code under test. */
const ath = (token: string) => createHash("sha256").update(token).digest("base64url");

describe("DPoP: accepted proofs", () => {
	it("accepts a proof made by the test issuer, and answers scheme DPoP and the token's jkt", async () => {
		await everywhere(apps, (app) => dpopRequest(app, "/d"), success(issuer.dpopKey.jkt));
	});

	it("accepts proofs made by the independent dpop package, ES256 and Ed25519, with POST too", async () => {
		for (const alg of ["ES256", "Ed25519"] as const) {
			const pair = await dpop.generateKeyPair(alg);
			const jkt = await dpop.calculateThumbprint(pair.publicKey);
			const token = await issuer.sign({}, { cnf: { jkt } });
			for (const method of ["GET", "POST"] as const) {
				await everywhere(
					apps,
					async (app) => ({
						method,
						path: "/d",
						headers: {
							authorization: `DPoP ${token}`,
							dpop: await dpop.generateProof(pair, `${app.url}/d`, method, undefined, token),
						},
					}),
					success(jkt),
				);
			}
		}
	});

	it.each(["ES256", "Ed25519", "EdDSA", "PS256", "RS256"] as const)(
		"accepts a %s proof of the test issuer's key helpers",
		async (alg) => {
			const key = await createDpopKey(alg);
			const token = await boundToken(key);
			await everywhere(apps, (app) => dpopRequest(app, "/d", { token, proof: { key } }), success(key.jkt));
		},
	);

	it("reads the DPoP scheme in any case, and ignores the proof's query and fragment in htu", async () => {
		await everywhere(
			apps,
			async (app) => {
				const token = await boundToken();
				const proof = await issuer.dpopProof({
					method: "GET",
					url: `${app.url}/d`,
					token,
					claims: { htu: `${app.url.toUpperCase().replace("HTTP", "http")}/d?x=1#y` },
				});
				return { path: "/d?page=2", headers: { authorization: `dpop ${token}`, dpop: proof } };
			},
			success(issuer.dpopKey.jkt),
		);
	});
});

describe("DPoP: each check of RFC 9449 §4.3 failing alone", () => {
	it("refuses a request without a proof, or with an empty one", async () => {
		const token = await boundToken();
		await everywhere(
			apps,
			() => ({ path: "/d", headers: { authorization: `DPoP ${token}` } }),
			badProof("dpop_proof_missing"),
		);
		await everywhere(
			apps,
			() => ({ path: "/d", headers: { authorization: `DPoP ${token}`, dpop: "" } }),
			badProof("dpop_proof_missing"),
		);
	});

	it("refuses two DPoP headers, even two valid ones", async () => {
		await everywhere(
			apps,
			async (app) => {
				const token = await boundToken();
				const req = await dpopRequest(app, "/d", { token });
				const second = await issuer.dpopProof({ method: "GET", url: `${app.url}/d`, token });
				return { ...req, headers: { ...req.headers, dpop: [req.headers?.dpop as string, second] } };
			},
			badProof("dpop_proof_duplicated"),
		);
	});

	it.each([
		["not a JWS", "not-a-jws"],
		["two segments", "eyJhbGciOiJFUzI1NiJ9.e30"],
		["too long", `${"a".repeat(8200)}.b.c`],
	])("refuses a malformed proof: %s", async (_label, proof) => {
		const token = await boundToken();
		await everywhere(
			apps,
			() => ({ path: "/d", headers: { authorization: `DPoP ${token}`, dpop: proof } }),
			badProof("dpop_proof_malformed"),
		);
	});

	it("refuses a proof of another type (typ JWT)", async () => {
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { header: { typ: "JWT" } } }),
			badProof("dpop_proof_typ"),
		);
	});

	it("refuses alg none (unsigned) and HS256 (a shared secret)", async () => {
		const token = await boundToken();
		const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
		await everywhere(
			apps,
			(app) => {
				const header = { typ: "dpop+jwt", alg: "none", jwk: issuer.dpopKey.publicJwk };
				const claims = { jti: randomUUID(), htm: "GET", htu: `${app.url}/d`, iat: now(), ath: ath(token) };
				return {
					path: "/d",
					headers: { authorization: `DPoP ${token}`, dpop: `${b64(header)}.${b64(claims)}.` },
				};
			},
			badProof("dpop_proof_malformed"),
		);
		await everywhere(
			apps,
			(app) => {
				const header = { typ: "dpop+jwt", alg: "none", jwk: issuer.dpopKey.publicJwk };
				const claims = { jti: randomUUID(), htm: "GET", htu: `${app.url}/d`, iat: now(), ath: ath(token) };
				return {
					path: "/d",
					headers: { authorization: `DPoP ${token}`, dpop: `${b64(header)}.${b64(claims)}.AA` },
				};
			},
			badProof("dpop_proof_alg"),
		);
		const secret = new Uint8Array(32).fill(1);
		await everywhere(
			apps,
			async (app) => {
				const jwk = { kty: "oct", k: Buffer.from(secret).toString("base64url") };
				const claims = { jti: randomUUID(), htm: "GET", htu: `${app.url}/d`, iat: now(), ath: ath(token) };
				const proof = await forged({ typ: "dpop+jwt", alg: "HS256", jwk }, claims, secret);
				return { path: "/d", headers: { authorization: `DPoP ${token}`, dpop: proof } };
			},
			badProof("dpop_proof_alg"),
		);
	});

	it("refuses a proof whose jwk is the private key (d), though it verifies", async () => {
		const { privateKey } = await generateKeyPair("ES256", { extractable: true });
		const privateJwk = await exportJWK(privateKey);
		const { d: _d, ...publicJwk } = privateJwk;
		const token = await issuer.sign({}, { cnf: { jkt: await calculateJwkThumbprint(publicJwk) } });
		await everywhere(
			apps,
			async (app) => {
				const claims = { jti: randomUUID(), htm: "GET", htu: `${app.url}/d`, iat: now(), ath: ath(token) };
				const proof = await forged({ typ: "dpop+jwt", alg: "ES256", jwk: privateJwk }, claims, privateKey);
				return { path: "/d", headers: { authorization: `DPoP ${token}`, dpop: proof } };
			},
			badProof("dpop_proof_key"),
		);
	});

	it("refuses a proof with a bad signature", async () => {
		await everywhere(
			apps,
			async (app) => {
				const req = await dpopRequest(app, "/d");
				const proof = req.headers?.dpop as string;
				const [header, payload, signature] = proof.split(".") as [string, string, string];
				const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
				return { ...req, headers: { ...req.headers, dpop: `${header}.${payload}.${flipped}` } };
			},
			badProof("dpop_proof_signature"),
		);
	});

	it("refuses a proof for another method", async () => {
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { method: "POST" } }),
			badProof("dpop_proof_htm"),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { method: "POST", proof: { method: "GET" } }),
			badProof("dpop_proof_htm"),
		);
		// htm is case-sensitive (RFC 9110 §9.1).
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { method: "get" } }),
			badProof("dpop_proof_htm"),
		);
	});

	it.each<[string, (app: TestApp) => string]>([
		["another path", (app) => `${app.url}/d/off`],
		["a longer path", (app) => `${app.url}/d/`],
		["another host", (app) => `${app.url.replace("127.0.0.1", "localhost")}/d`],
		["another port", (app) => `${app.url.replace(/:\d+$/, ":1")}/d`],
		["another scheme", (app) => `${app.url.replace("http:", "https:")}/d`],
	])("refuses a proof for another URL: %s", async (_label, url) => {
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { url: url(app) } }),
			badProof("dpop_proof_htu"),
		);
	});

	it("refuses a proof too old or issued in the future", async () => {
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: now() - 400 } }),
			badProof("dpop_proof_expired"),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: now() + 60 } }),
			badProof("dpop_proof_future"),
		);
	});

	it("takes proofs up to exactly proofMaxAge + clockTolerance old and clockTolerance ahead, not one second more", async () => {
		// Date frozen on a whole second (real timers: the sockets keep working); the default proofMaxAge
		// 300 s and clockTolerance 5 s.
		vi.useFakeTimers({ toFake: ["Date"] });
		vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000);
		const t = now();
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: t - 305 } }),
			success(issuer.dpopKey.jkt),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: t - 306 } }),
			badProof("dpop_proof_expired"),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: t + 5 } }),
			success(issuer.dpopKey.jkt),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { iat: t + 6 } }),
			badProof("dpop_proof_future"),
		);
	});

	it("refuses a proof without ath, or with the hash of another token", async () => {
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { claims: { ath: undefined } } }),
			badProof("dpop_proof_ath"),
		);
		const other = await boundToken();
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { claims: { ath: ath(other) } } }),
			badProof("dpop_proof_ath"),
		);
	});

	it("refuses a proof made with another key than the token's cnf.jkt", async () => {
		const thief = await createDpopKey("ES256");
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d", { proof: { key: thief } }),
			badProof("dpop_proof_jkt"),
		);
	});

	it("refuses an unbound token sent as DPoP: invalid_token token_not_dpop_bound, with the DPoP challenge", async () => {
		const token = await issuer.sign();
		await everywhere(apps, (app) => dpopRequest(app, "/d", { token }), badTokenDpop("token_not_dpop_bound"));
	});
});

describe("DPoP: replay", () => {
	it("refuses the same proof twice", async () => {
		const requests = await Promise.all(apps.map((app) => dpopRequest(app, "/d")));
		const first = await Promise.all(apps.map((app, i) => send(app, requests[i] as Request)));
		expect(first).toEqual(apps.map(() => success(issuer.dpopKey.jkt)));
		await everywhere(apps, (app) => requests[apps.indexOf(app)] as Request, badProof("dpop_proof_replayed"));
	});

	it("refuses a proof replayed on a second instance that shares the replay store", async () => {
		const requests = await Promise.all(apps.map((app) => dpopRequest(app, "/d/shared")));
		await everywhere(apps, (app) => requests[apps.indexOf(app)] as Request, success(issuer.dpopKey.jkt));
		// The twin answers for the same public host: the proof's htu names it.
		await everywhere(
			twins,
			(twin) => {
				const i = twins.indexOf(twin);
				const req = requests[i] as Request;
				return { ...req, headers: { ...req.headers, host: new URL((apps[i] as TestApp).url).host } };
			},
			badProof("dpop_proof_replayed"),
		);
		// A fresh proof for that host goes through on the twin.
		await everywhere(
			twins,
			async (twin) => {
				const original = apps[twins.indexOf(twin)] as TestApp;
				const req = await dpopRequest(original, "/d/shared");
				return { ...req, headers: { ...req.headers, host: new URL(original.url).host } };
			},
			success(issuer.dpopKey.jkt),
		);
	});

	it("answers 503 replay_check_failed with Retry-After when the store throws or rejects", async () => {
		const unavailable = refusal(
			503,
			"temporarily_unavailable",
			"DPoP proof replay check is temporarily unavailable",
			undefined,
			{
				"retry-after": "1",
			},
		);
		await everywhere(apps, (app) => dpopRequest(app, "/d/throws"), unavailable);
		await everywhere(apps, (app) => dpopRequest(app, "/d/rejects"), unavailable);
	});
});

describe("DPoP: server nonces", () => {
	it("asks for a nonce (401 use_dpop_nonce with DPoP-Nonce), then accepts the proof that carries it", async () => {
		// Frozen at the start of a 300 s step: no upcoming nonce on the answers.
		vi.useFakeTimers({ toFake: ["Date"] });
		vi.setSystemTime(Math.floor(Date.now() / 300_000) * 300_000 + 10_000);
		const first = await Promise.all(apps.map(async (app) => send(app, await dpopRequest(app, "/d/nonce"))));
		const nonce = first[0]?.headers["dpop-nonce"] as string;
		expect(nonce).toMatch(/^[A-Za-z0-9_-]{30}$/);
		expect(first).toEqual(apps.map(() => useNonce("dpop_nonce_required", nonce)));
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/nonce", { proof: { nonce } }),
			success(issuer.dpopKey.jkt),
		);
		// A nonce of another secret is refused, with this server's nonce.
		const other = (await send(apps[0] as TestApp, await dpopRequest(apps[0] as TestApp, "/d/nonce-other")))
			.headers["dpop-nonce"] as string;
		expect(other).toMatch(/^[A-Za-z0-9_-]{30}$/);
		expect(other).not.toBe(nonce);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/nonce", { proof: { nonce: other } }),
			useNonce("dpop_nonce_invalid", nonce),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/nonce", { proof: { nonce: "garbage" } }),
			useNonce("dpop_nonce_invalid", nonce),
		);
	});

	it("hands the next step's nonce on successful answers in the last quarter of a step", async () => {
		vi.useFakeTimers({ toFake: ["Date"] });
		const step = Math.floor(Date.now() / 300_000) * 300_000;
		vi.setSystemTime(step + 10_000);
		const nonce = (await send(apps[0] as TestApp, await dpopRequest(apps[0] as TestApp, "/d/nonce"))).headers[
			"dpop-nonce"
		] as string;
		vi.setSystemTime(step + 300_000 + 10_000);
		const next = (await send(apps[0] as TestApp, await dpopRequest(apps[0] as TestApp, "/d/nonce"))).headers[
			"dpop-nonce"
		] as string;
		expect(next).not.toBe(nonce);
		vi.setSystemTime(step + 250_000);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/nonce", { proof: { nonce } }),
			success(issuer.dpopKey.jkt, { "dpop-nonce": next }),
		);
		// And that nonce is already good.
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/nonce", { proof: { nonce: next } }),
			success(issuer.dpopKey.jkt, { "dpop-nonce": next }),
		);
	});
});

describe("DPoP: introspected (opaque) tokens", () => {
	it("accepts a DPoP-bound opaque token with its proof; refuses it as Bearer, with dpop on and off", async () => {
		const token = issuer.issueOpaqueToken({}, { dpopKey: issuer.dpopKey });
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/opaque", { token }),
			success(issuer.dpopKey.jkt, {}, "introspection"),
		);
		for (const path of ["/d/opaque", "/d/opaque-off"]) {
			await everywhere(
				apps,
				() => ({ path, headers: { authorization: `Bearer ${token}` } }),
				badTokenBearer("token_dpop_bound"),
			);
		}
	});

	it("refuses an opaque token's proof made with another key, or without ath", async () => {
		const token = issuer.issueOpaqueToken({}, { dpopKey: issuer.dpopKey });
		const thief = await createDpopKey("Ed25519");
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/opaque", { token, proof: { key: thief } }),
			badProof("dpop_proof_jkt"),
		);
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/opaque", { token, proof: { claims: { ath: undefined } } }),
			badProof("dpop_proof_ath"),
		);
	});

	it("refuses an unbound opaque token sent as DPoP: token_not_dpop_bound", async () => {
		const token = issuer.issueOpaqueToken();
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/opaque", { token }),
			badTokenDpop("token_not_dpop_bound"),
		);
	});
});

describe("DPoP: modes and challenges", () => {
	const bothChallenges = refusal(
		401,
		"invalid_token",
		"Missing bearer token",
		`Bearer realm="api", DPoP realm="api", algs="${ALGS}"`,
	);
	const bareDpop = refusal(401, "invalid_token", "Missing bearer token", `DPoP realm="api", algs="${ALGS}"`);
	const bareBearer = refusal(401, "invalid_token", "Missing bearer token", 'Bearer realm="api"');

	it("required mode: a Bearer request gets the bare DPoP challenge; a DPoP one goes through", async () => {
		const token = await issuer.sign();
		await everywhere(
			apps,
			() => ({ path: "/d/required", headers: { authorization: `Bearer ${token}` } }),
			bareDpop,
		);
		await everywhere(apps, () => ({ path: "/d/required" }), bareDpop);
		await everywhere(apps, (app) => dpopRequest(app, "/d/required"), success(issuer.dpopKey.jkt));
	});

	it("allowed mode, no credentials: both challenges", async () => {
		await everywhere(apps, () => ({ path: "/d" }), bothChallenges);
	});

	it("a DPoP-bound token sent as Bearer: 401 token_dpop_bound, with dpop on and with dpop absent", async () => {
		const token = await boundToken();
		for (const path of ["/d", "/d/off"]) {
			await everywhere(
				apps,
				() => ({ path, headers: { authorization: `Bearer ${token}` } }),
				badTokenBearer("token_dpop_bound"),
			);
		}
	});

	it("with dpop absent, Authorization: DPoP is another scheme: the bare Bearer 401", async () => {
		await everywhere(apps, () => ({ path: "/d/off", headers: { authorization: "DPoP x" } }), bareBearer);
		await everywhere(apps, (app) => dpopRequest(app, "/d/off"), bareBearer);
	});

	it("403 insufficient_scope on a DPoP request carries the DPoP challenge with scope and algs", async () => {
		const message = "Insufficient permissions for the requested operation";
		await everywhere(
			apps,
			(app) => dpopRequest(app, "/d/scope"),
			refusal(403, "insufficient_scope", message, dpopChallenge("insufficient_scope", message, "admin")),
		);
	});
});

describe("DPoP: htu behind a proxy", () => {
	const PUBLIC = "https://api.example.com";
	const forwarded = (host = "api.example.com") => ({
		"x-forwarded-proto": "https",
		"x-forwarded-host": host,
	});

	/** A proof whose htu is `htu` verbatim (not checked by the test issuer), and the headers given. */
	async function proxiedRequest(
		app: TestApp,
		htu: string,
		headers: Record<string, string>,
	): Promise<Request> {
		const req = await dpopRequest(app, "/d", { proof: { claims: { htu } } });
		return { ...req, headers: { ...req.headers, ...headers } };
	}

	it("accepts a proof for the public URL when the proxy is trusted and names it (Hono: its URL is the Host header)", async () => {
		await everywhere(
			proxied,
			(app) => proxiedRequest(app, `${PUBLIC}/d`, forwarded()),
			(app) => (app.name === "hono" ? badProof("dpop_proof_htu") : success(issuer.dpopKey.jkt)),
		);
		// Hono takes the proof for the URL it was reached by.
		await everywhere(
			proxied.filter((app) => app.name === "hono"),
			(app) => proxiedRequest(app, `${app.url}/d`, forwarded()),
			success(issuer.dpopKey.jkt),
		);
	});

	it("refuses the public URL's proof when the proxy is not trusted: the URL is the one reached", async () => {
		await everywhere(
			apps,
			(app) => proxiedRequest(app, `${PUBLIC}/d`, forwarded()),
			badProof("dpop_proof_htu"),
		);
		await everywhere(
			apps,
			(app) => proxiedRequest(app, `${app.url}/d`, forwarded()),
			success(issuer.dpopKey.jkt),
		);
	});

	it.each([
		[
			"a path in X-Forwarded-Host",
			"api.example.com/other",
			[`${PUBLIC}/other/d`, `${PUBLIC}/d`, `${PUBLIC}/other`],
		],
		[
			"user info in X-Forwarded-Host",
			"evil.com@api.example.com",
			[`https://api.example.com/d`, `https://evil.com@api.example.com/d`],
		],
		["a query in X-Forwarded-Host", "api.example.com?x=", [`${PUBLIC}/d`]],
		["a fragment in X-Forwarded-Host", "api.example.com#", [`${PUBLIC}/d`]],
		[
			"a space in X-Forwarded-Host",
			"api.example.com evil",
			[`${PUBLIC}/d`, "https://api.example.com%20evil/d"],
		],
		[
			"a backslash in X-Forwarded-Host",
			"evil.com\\api.example.com",
			[`${PUBLIC}/d`, "https://evil.com/api.example.com/d"],
		],
	])(
		"a trusted proxy's malformed X-Forwarded-Host never widens what matches: %s",
		async (_label, host, htus) => {
			for (const htu of htus) {
				await everywhere(
					proxied,
					(app) => proxiedRequest(app, htu, forwarded(host)),
					badProof("dpop_proof_htu"),
				);
			}
		},
	);

	it.each([
		["a URL with a fragment", "https://api.example.com/other#", `${PUBLIC}/other`],
		["a URL with a query", "https://api.example.com/other?", `${PUBLIC}/other`],
		["a URL with a path", "https://api.example.com/other/", `${PUBLIC}/other/`],
		["another scheme", "ftp", "ftp://api.example.com/d"],
		["a scheme with a space", "https x", `${PUBLIC}/d`],
	])("a trusted proxy's malformed X-Forwarded-Proto never moves the URL: %s", async (_label, proto, htu) => {
		await everywhere(
			proxied,
			(app) =>
				proxiedRequest(app, htu, { "x-forwarded-proto": proto, "x-forwarded-host": "api.example.com" }),
			badProof("dpop_proof_htu"),
		);
	});

	it("a comma list in X-Forwarded-Host: at most the one host the framework picks matches, never the list", async () => {
		const list = "evil.com, api.example.com";
		for (const htu of ["https://evil.com,api.example.com/d", "https://evil.com, api.example.com/d"]) {
			await everywhere(
				proxied,
				(app) => proxiedRequest(app, htu, forwarded(list)),
				badProof("dpop_proof_htu"),
			);
		}
		for (const app of proxied) {
			const accepted: string[] = [];
			for (const htu of ["https://evil.com/d", "https://api.example.com/d"]) {
				const answer = await send(app, await proxiedRequest(app, htu, forwarded(list)));
				expect([200, 401]).toContain(answer.status);
				if (answer.status === 200) accepted.push(htu);
			}
			expect(accepted.length, `${app.name}: ${accepted.join(" ")}`).toBeLessThanOrEqual(1);
		}
	});

	it.each([
		["a path", (port: string) => `127.0.0.1:${port}/other`, (url: string) => [`${url}/other/d`]],
		[
			"user info",
			(port: string) => `evil.com@127.0.0.1:${port}`,
			(url: string) => [`${url}/d`, `http://evil.com@${new URL(url).host}/d`],
		],
		[
			"a comma list",
			(port: string) => `evil.com, 127.0.0.1:${port}`,
			(url: string) => [`${url}/d`, "http://evil.com/d"],
		],
		["a space", (port: string) => `127.0.0.1:${port} evil`, (url: string) => [`${url}/d`, `${url}%20evil/d`]],
		["a query", (port: string) => `127.0.0.1:${port}?x=`, (url: string) => [`${url}/d`]],
	])("a malformed Host (%s) never widens what matches, proxy trusted or not", async (_label, host, htus) => {
		for (const set of [apps, proxied]) {
			for (const app of set) {
				const port = new URL(app.url).port;
				for (const htu of htus(app.url)) {
					const answer = await send(app, await proxiedRequest(app, htu, { host: host(port) }));
					// Hono's server refuses such a Host outright (400); bearerguard refuses the proof elsewhere.
					if (answer.status === 400 && app.name === "hono") continue;
					expect({ app: app.name, htu, answer }).toEqual({
						app: app.name,
						htu,
						answer: badProof("dpop_proof_htu"),
					});
				}
			}
		}
	});
});
