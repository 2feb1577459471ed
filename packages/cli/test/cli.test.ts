/**
 * The built `bearerguard` run as a child process (`node packages/cli/dist/bin.js ...`) against real
 * issuers on loopback: every check's pass and fail, `--json` parsed, exit codes.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { type CheckName, type DiagnosisCheck, FIXES } from "@bearerguard/core";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

interface Run {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

function cli(
	args: readonly string[],
	options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
	return new Promise((resolve) => {
		const child = execFile(
			process.execPath,
			[BIN, ...args],
			{ env: { PATH: process.env.PATH ?? "", ...options.env }, timeout: 20_000 },
			(error, stdout, stderr) => {
				const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
				resolve({ code, stdout, stderr });
			},
		);
		child.stdin?.end(options.input ?? "");
	});
}

let issuer: TestIssuer;
let env: Record<string, string>;
beforeAll(async () => {
	issuer = await createTestIssuer({ audience: "https://api.example" });
	env = { BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: "https://api.example" };
});
afterAll(() => issuer.close());

interface InspectJson {
	accepted: boolean;
	verdict: { status: number; error?: string; reason?: string; message?: string };
	checks: DiagnosisCheck[];
	header: Record<string, unknown> | null;
	claims: Record<string, unknown> | null;
}

async function inspectJson(
	token: string,
	flags: readonly string[] = [],
): Promise<{ run: Run; json: InspectJson }> {
	const run = await cli(["inspect", token, "--json", ...flags], { env });
	return { run, json: JSON.parse(run.stdout) as InspectJson };
}

const check = (json: InspectJson, name: CheckName) =>
	json.checks.find((found) => found.name === name) as DiagnosisCheck;
const now = () => Math.floor(Date.now() / 1000);

describe("bearerguard inspect", () => {
	it("passes every check of a good token under every option, and exits 0", async () => {
		const token = await issuer.sign(
			{ org_id: "org_acme", permissions: ["read", "write"], client_id: "app_1" },
			{ header: { typ: "at+jwt" } },
		);
		const flags = [
			"--typ",
			"at+jwt",
			"--max-token-age",
			"10m",
			"--organization",
			"--organization-id",
			"org_acme",
			"--permission",
			"write",
		];
		const { run, json } = await inspectJson(token, flags);
		expect(run.code).toBe(0);
		expect(json.accepted).toBe(true);
		expect(json.verdict).toEqual({ status: 200 });
		expect(json.checks.map((found) => [found.name, found.status])).toEqual([
			["length", "pass"],
			["format", "pass"],
			["algorithm", "pass"],
			["critical", "pass"],
			["type", "pass"],
			["issuer", "pass"],
			["key", "pass"],
			["signature", "pass"],
			["claims", "pass"],
			["audience", "pass"],
			["expiry", "pass"],
			["not-before", "pass"],
			["age", "pass"],
			["custom", "skip"],
			["organization", "pass"],
			["permissions", "pass"],
		]);
		expect(json.claims?.org_id).toBe("org_acme");
	});

	const failures: ReadonlyArray<[CheckName, string, () => Promise<string>, readonly string[]]> = [
		["length", "token_too_long", () => issuer.sign({ pad: "x".repeat(9000) }), []],
		["format", "token_malformed", async () => (await issuer.sign()).split(".").slice(0, 2).join("."), []],
		["algorithm", "alg_not_allowed", () => issuer.sign(), ["--algorithms", "ES256"]],
		["critical", "crit_unsupported", () => issuer.sign({}, { header: { crit: ["exp"], exp: 1 } }), []],
		["type", "typ_mismatch", () => issuer.sign({}, { header: { typ: "JWT" } }), ["--typ", "at+jwt"]],
		["issuer", "issuer_mismatch", () => issuer.sign({ iss: "https://other.example/" }), []],
		["key", "kid_unknown", () => issuer.sign({}, { kid: "gone" }), []],
		["signature", "signature_invalid", async () => `${(await issuer.sign()).slice(0, -2)}`, []],
		["claims", "claim_invalid", () => issuer.sign({ permissions: { admin: true } }), []],
		["audience", "audience_mismatch", () => issuer.sign({ aud: "https://else.example" }), []],
		["expiry", "token_expired", () => issuer.sign({}, { expiresIn: -3600 }), []],
		["not-before", "not_yet_valid", () => issuer.sign({}, { notBefore: 600 }), []],
		["age", "token_too_old", () => issuer.sign({}, { iat: now() - 3600 }), ["--max-token-age", "60"]],
		["organization", "organization_invalid", () => issuer.sign(), ["--organization"]],
		[
			"organization",
			"organization_mismatch",
			() => issuer.sign({ org_id: "org_a" }),
			["--organization", "--organization-id", "org_b"],
		],
		[
			"permissions",
			"insufficient_scope",
			() => issuer.sign({ permissions: ["read"] }),
			["--permission", "write"],
		],
	];

	it.each(failures)(
		"fails the %s check (%s) with its fix, and exits 1",
		async (name, reason, token, flags) => {
			const { run, json } = await inspectJson(await token(), flags);
			expect(run.code).toBe(1);
			expect(json.accepted).toBe(false);
			const found = check(json, name);
			expect([found.status, found.reason, found.fix]).toEqual([
				"fail",
				reason,
				FIXES[reason as keyof typeof FIXES],
			]);
			expect(found.detail.length).toBeGreaterThan(0);
			expect(json.verdict.status).toBe(
				reason === "insufficient_scope" ? 403 : reason.startsWith("organization") ? 400 : 401,
			);
		},
	);

	it("exits 3 when the issuer cannot be reached, saying the network error", async () => {
		const server = createServer().listen(0, "127.0.0.1");
		await new Promise((resolve) => server.once("listening", resolve));
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		await new Promise((resolve) => server.close(resolve));
		const run = await cli(["inspect", await issuer.sign({ iss: origin }), "--json", "--issuer", origin], {
			env,
		});
		const json = JSON.parse(run.stdout) as InspectJson;
		expect(run.code).toBe(3);
		expect(json.verdict).toEqual({
			status: 503,
			error: "temporarily_unavailable",
			reason: "discovery_failed",
			message: "Signing keys are temporarily unavailable",
		});
		expect(check(json, "key").detail).toContain("ECONNREFUSED");
	});

	it("prints a readable report without colour when stdout is not a terminal", async () => {
		const run = await cli(
			["inspect", await issuer.sign({ aud: "https://else.example" }, { expiresIn: -7200 })],
			{ env },
		);
		expect(run.code).toBe(1);
		expect(run.stdout).not.toContain("\u001b[");
		const lines = run.stdout.split("\n");
		expect(lines[0]).toBe("bearerguard inspect");
		expect(lines).toContain(`  issuer    ${issuer.issuer}`);
		expect(lines.find((line) => line.startsWith("  FAIL  audience"))).toBe(
			'  FAIL  audience      the token has aud "https://else.example"; expected one of the accepted audiences ["https://api.example"]',
		);
		expect(lines).toContain("                      reason  audience_mismatch");
		expect(lines).toContain(`                      fix     ${FIXES.audience_mismatch}`);
		expect(lines.find((line) => line.startsWith("  FAIL  expiry"))).toMatch(
			/^ {2}FAIL {2}expiry {8}expired 2 h ago \(exp .*Z; clock tolerance 5 s\)$/,
		);
		expect(lines).toContain(
			"REFUSED   401 invalid_token: Unexpected token audience (reason audience_mismatch)",
		);
	});

	it("reads the token from stdin with -, taking off a pasted Authorization: Bearer", async () => {
		const token = await issuer.sign();
		const run = await cli(["inspect", "-", "--json"], { env, input: `Authorization: Bearer ${token}\n` });
		expect(run.code).toBe(0);
		expect((JSON.parse(run.stdout) as InspectJson).accepted).toBe(true);
	});

	it("takes flags over the environment", async () => {
		const { json } = await inspectJson(await issuer.sign(), ["--audience", "https://other-api.example"]);
		expect(check(json, "audience").reason).toBe("audience_mismatch");
	});
});

describe("usage errors exit 2", () => {
	it.each<[string, readonly string[], Record<string, string>, string]>([
		[
			"no issuer",
			["inspect", "a.b.c"],
			{},
			"bearerguard: no issuer: pass --issuer <url> or set BEARERGUARD_ISSUER.\n",
		],
		[
			"no audience",
			["inspect", "a.b.c", "--issuer", "https://a.example/"],
			{},
			"bearerguard: no audience: pass --audience <value> or set BEARERGUARD_AUDIENCE.\n",
		],
		[
			"an empty token",
			["inspect", " "],
			{ BEARERGUARD_ISSUER: "https://a.example/", BEARERGUARD_AUDIENCE: "a" },
			"bearerguard: no token: pass it as the argument, or - to read it from stdin.\n",
		],
		[
			"a bad option value",
			["inspect", "a.b.c", "--algorithms", "none"],
			{ BEARERGUARD_ISSUER: "https://a.example/", BEARERGUARD_AUDIENCE: "a" },
			'bearerguard: "algorithms" must not contain "none": unsigned tokens are never accepted.\n',
		],
		[
			"a jwks issuer that is not a URL",
			["jwks", "auth.example.com"],
			{},
			'bearerguard: the issuer must be an absolute http(s) URL, got "auth.example.com".\n',
		],
	])("%s", async (_label, args, extra, stderr) => {
		const run = await cli(args, { env: extra });
		expect([run.code, run.stderr, run.stdout]).toEqual([2, stderr, ""]);
	});

	it("an unknown option or command, with the help hint", async () => {
		const run = await cli(["inspect", "x", "--audiance", "a"]);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain("error: unknown option '--audiance'");
		expect((await cli(["frobnicate"])).code).toBe(2);
	});

	it("--help exits 0 and documents the exit codes", async () => {
		const run = await cli(["--help"]);
		expect(run.code).toBe(0);
		expect(run.stdout).toContain("Exit codes:\n  0  every check passed");
		expect(run.stdout).toContain("inspect [options] <token>");
	});
});

describe("bearerguard jwks", () => {
	interface JwksJson {
		ok: boolean;
		jwksUri: string | null;
		checks: Array<{ status: string; name: string; detail: string; reason?: string; fix?: string }>;
	}
	const jwksJson = async (args: readonly string[]) => {
		const run = await cli(["jwks", ...args, "--json"]);
		return { run, json: JSON.parse(run.stdout) as JwksJson };
	};

	it("passes a healthy issuer: discovery, the JWKS as served, each key, and the middleware's own load", async () => {
		issuer.setJwks(undefined);
		const { run, json } = await jwksJson([issuer.issuer]);
		expect(run.code).toBe(0);
		expect(json.ok).toBe(true);
		expect(json.jwksUri).toBe(issuer.jwksUri);
		expect(json.checks.map((line) => [line.name, line.status])).toEqual([
			["metadata", "pass"],
			["issuer", "pass"],
			["jwks_uri", "pass"],
			["jwks", "pass"],
			["content-type", "pass"],
			["cache", "pass"],
			["key #1", "pass"],
			["keys", "pass"],
			["bearerguard", "pass"],
		]);
		expect(json.checks.at(-1)?.detail).toBe("the middleware loads 1 key");
	});

	it("says what is wrong with the keys: weak RSA, no kid, use enc, duplicate kids, no cache headers", async () => {
		const good = ((await (await fetch(issuer.jwksUri)).json()) as { keys: Record<string, unknown>[] })
			.keys[0] as Record<string, unknown>;
		const weak = { kty: "RSA", kid: "weak", n: Buffer.alloc(128, 0xc1).toString("base64url"), e: "AQAB" };
		issuer.setJwks(
			{
				keys: [
					good,
					{ ...good, kid: undefined },
					{ ...good, kid: "enc", use: "enc" },
					weak,
					{ ...good, kid: "weak" },
				],
			},
			{ headers: { "cache-control": "no-store" } },
		);
		try {
			const { run, json } = await jwksJson([issuer.issuer]);
			expect(run.code).toBe(1);
			const byName = Object.fromEntries(json.checks.map((line) => [line.name, line]));
			expect(byName.cache).toMatchObject({ status: "warn", detail: "Cache-Control: no-store" });
			expect(byName["key #1"]).toMatchObject({ status: "pass" });
			expect(byName["key #2"]).toMatchObject({ status: "warn", reason: "kid_missing" });
			expect(byName["key #3"]).toMatchObject({ status: "warn", reason: "use_not_sig" });
			expect(byName["key #4"]).toMatchObject({ status: "fail", reason: "rsa_too_small" });
			expect(byName["key #4"]?.fix).toContain("an RSA key of 1024 bits: under 2048, too weak");
			expect(byName["key #5"]).toMatchObject({ status: "warn", reason: "kid_duplicate" });
			expect(byName.keys).toMatchObject({ status: "pass", detail: "3 signing keys of 5 will be used" });
			issuer.setJwks({ keys: [good, { ...good, kid: undefined }] });
			expect((await cli(["jwks", issuer.issuer])).code).toBe(0);
			expect((await cli(["jwks", issuer.issuer, "--strict"])).code).toBe(1);
		} finally {
			issuer.setJwks(undefined);
		}
	});

	it("fails metadata that names another issuer (the trailing slash), and a JWKS over 1 MiB", async () => {
		const { run, json } = await jwksJson([`${issuer.issuer}/`]);
		expect(run.code).toBe(1);
		expect(json.checks.find((line) => line.name === "issuer")).toEqual({
			status: "fail",
			name: "issuer",
			detail: `the metadata names "${issuer.issuer}", not "${issuer.issuer}/" (they differ only in the trailing slash)`,
			reason: "discovery_issuer_mismatch",
			fix: "Configure the issuer exactly as the metadata (and your tokens' iss) spell it: every request would get a 503.",
		});
		issuer.setJwks(`{"keys":[],"pad":"${"x".repeat(1_100_000)}"}`);
		try {
			const big = await jwksJson([issuer.issuer]);
			expect(big.run.code).toBe(1);
			expect(big.json.checks.find((line) => line.name === "jwks")).toMatchObject({
				status: "fail",
				reason: "TOO_LARGE",
			});
		} finally {
			issuer.setJwks(undefined);
		}
	});

	it("fails a JWKS URL that redirects (bearerguard follows none), and says where to", async () => {
		const server = createServer((_req, res) => res.writeHead(302, { location: issuer.jwksUri }).end()).listen(
			0,
			"127.0.0.1",
		);
		await new Promise((resolve) => server.once("listening", resolve));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
			const { run, json } = await jwksJson([issuer.issuer, "--jwks-uri", url]);
			expect(run.code).toBe(1);
			expect(json.checks[0]).toEqual({
				status: "fail",
				name: "jwks",
				detail: `GET ${url} redirects (302) to ${issuer.jwksUri}`,
				reason: "REDIRECT",
				fix: "bearerguard does not follow redirects: configure the URL it redirects to.",
			});
		} finally {
			server.close();
		}
	});

	it("exits 3 for an issuer that cannot be reached", async () => {
		const down = await createTestIssuer();
		await down.close();
		const { run, json } = await jwksJson([down.issuer]);
		expect(run.code).toBe(3);
		expect(json.checks.map((line) => [line.name, line.status, line.reason])).toEqual([
			["metadata", "fail", "ECONNREFUSED"],
			["metadata", "fail", "ECONNREFUSED"],
		]);
	});
});

describe("bearerguard api-key new", () => {
	const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const base62 = (value: number) => {
		let out = "";
		for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) out = ALPHABET[rest % 62] + out;
		return out.padStart(6, "0");
	};

	it("prints a key of the documented format and its SHA-256, new each time", async () => {
		const runs = await Promise.all([cli(["api-key", "new", "--json"]), cli(["api-key", "new", "--json"])]);
		const keys = runs.map((run) => {
			expect(run.code).toBe(0);
			return JSON.parse(run.stdout) as { key: string; hash: string };
		});
		for (const { key, hash } of keys) {
			expect(key).toMatch(/^bgk_[0-9A-Za-z]{49}$/);
			expect(key.slice(-6)).toBe(base62(crc32(Buffer.from(key.slice(0, -6)))));
			expect(hash).toBe(createHash("sha256").update(key).digest("hex"));
		}
		expect(keys[0]?.key).not.toBe(keys[1]?.key);
	});

	it("prints the key and the hash for a terminal too", async () => {
		const run = await cli(["api-key", "new"]);
		expect(run.code).toBe(0);
		expect(run.stdout).toMatch(
			/^key {3}bgk_[0-9A-Za-z]{49}\nhash {2}[0-9a-f]{64}\n\nGive the key to its client once; store only the hash/,
		);
	});
});
