/**
 * `bearerguard jwks <issuer>`: the issuer's discovery, its JWKS as served (status, redirects, size,
 * content type, cache headers, time), what bearerguard makes of each key, and whether the middleware
 * itself loads them.
 */
import { createVerifier, explainJwks, type JwkReport, metadataUrls } from "@bearerguard/core";
import { EXIT } from "../lib/exit-codes.js";
import { colourFor, formatLines, type Io, type Line, painter, writeJson } from "../lib/output.js";
import { MAX_BODY_BYTES, type Probe, probe, size } from "../lib/probe.js";
import { duration, UsageError } from "../lib/verifier-options.js";

/** The flags of `jwks`. */
export interface JwksFlags {
	jwksUri?: string;
	timeout?: string;
	json?: boolean;
	strict?: boolean;
}

interface Report {
	readonly lines: Line[];
	/** No answer came from the issuer (network, timeout): exit code 3. */
	unreachable: boolean;
	jwksUri: string | undefined;
	keys: readonly JwkReport[];
}

const pass = (name: string, detail: string): Line => ({ status: "pass", name, detail });
const warn = (name: string, detail: string, fix?: string): Line => ({ status: "warn", name, detail, fix });
const fail = (name: string, detail: string, reason?: string, fix?: string): Line => ({
	status: "fail",
	name,
	detail,
	reason,
	fix,
});

/** Why a GET did not give a usable 200, or `undefined` when it did. */
function problemOf(found: Probe): { detail: string; reason: string; fix: string } | undefined {
	if (found.failure !== undefined) {
		return {
			detail: found.failure.message,
			reason: found.failure.code,
			fix: "Check the URL, DNS, TLS and that the issuer is up.",
		};
	}
	const status = found.status as number;
	if (status >= 300 && status < 400) {
		const target = found.headers?.get("location") ?? "nowhere";
		return {
			detail: `GET ${found.url} redirects (${status}) to ${target}`,
			reason: "REDIRECT",
			fix: "bearerguard does not follow redirects: configure the URL it redirects to.",
		};
	}
	if (status !== 200)
		return {
			detail: `GET ${found.url} answered ${status}`,
			reason: "HTTP_STATUS",
			fix: "Check the URL: the issuer does not serve it.",
		};
	if (found.tooLarge)
		return {
			detail: `GET ${found.url} sent over ${size(MAX_BODY_BYTES)}`,
			reason: "TOO_LARGE",
			fix: "bearerguard refuses bodies over 1 MiB.",
		};
	return undefined;
}

function parse(text: string | undefined): unknown {
	try {
		return text === undefined ? undefined : JSON.parse(text);
	} catch {
		return undefined;
	}
}

async function discover(issuer: string, timeout: number, report: Report): Promise<string | undefined> {
	const tried: Probe[] = [];
	for (const url of metadataUrls(issuer)) {
		const found = await probe(url, timeout);
		tried.push(found);
		const problem = problemOf(found);
		const metadata = parse(found.text) as Record<string, unknown> | undefined;
		if (problem !== undefined || typeof metadata !== "object" || metadata === null) continue;
		for (const earlier of tried.slice(0, -1))
			report.lines.push({
				status: "skip",
				name: "metadata",
				detail: `${problemOf(earlier)?.detail}; the next URL was tried`,
			});
		report.lines.push(
			pass("metadata", `GET ${url}: 200, ${size(found.bytes)} in ${Math.round(found.ms)} ms`),
		);
		const named = metadata.issuer;
		if (named === issuer) report.lines.push(pass("issuer", `the metadata names ${issuer}`));
		else {
			const slash =
				typeof named === "string" && named.replace(/\/+$/, "") === issuer.replace(/\/+$/, "")
					? " (they differ only in the trailing slash)"
					: "";
			report.lines.push(
				fail(
					"issuer",
					`the metadata names ${JSON.stringify(named)}, not ${JSON.stringify(issuer)}${slash}`,
					"discovery_issuer_mismatch",
					"Configure the issuer exactly as the metadata (and your tokens' iss) spell it: every request would get a 503.",
				),
			);
			return undefined;
		}
		const jwksUri = metadata.jwks_uri;
		if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
			report.lines.push(
				fail(
					"jwks_uri",
					`the metadata has no http(s) jwks_uri (${JSON.stringify(jwksUri)})`,
					"NO_JWKS_URI",
					"Publish jwks_uri, or configure jwksUri.",
				),
			);
			return undefined;
		}
		const plain = jwksUri.startsWith("http:") && !/^http:\/\/(localhost|127\.|\[::1\])/.test(jwksUri);
		report.lines.push(
			plain
				? warn(
						"jwks_uri",
						`${jwksUri} is plain http`,
						"Serve the JWKS over https: keys fetched over http can be replaced in transit.",
					)
				: pass("jwks_uri", jwksUri),
		);
		return jwksUri;
	}
	for (const found of tried) {
		const problem = problemOf(found) ?? {
			detail: `GET ${found.url} did not answer a JSON object`,
			reason: "NOT_JSON",
			fix: "Serve the metadata as JSON.",
		};
		report.unreachable ||= found.failure !== undefined;
		report.lines.push(fail("metadata", problem.detail, problem.reason, problem.fix));
	}
	return undefined;
}

function cacheLine(headers: Headers | undefined): Line {
	const control = headers?.get("cache-control");
	const fix =
		"Send Cache-Control: max-age=N (e.g. 300): HTTP caches and other clients refetch without it (bearerguard keeps keys for jwks.cacheMaxAge whatever the headers say).";
	if (control === null || control === undefined) return warn("cache", "no Cache-Control header", fix);
	if (/no-store|no-cache/i.test(control) || !/max-age=\d+/i.test(control))
		return warn("cache", `Cache-Control: ${control}`, fix);
	return pass("cache", `Cache-Control: ${control}`);
}

function keyLine(key: JwkReport): Line {
	const name = `key #${key.index + 1}`;
	const shape = [
		key.kty ?? "?",
		key.bits === undefined ? key.crv : `${key.bits} bits`,
		key.alg,
		key.use && `use ${key.use}`,
	]
		.filter(Boolean)
		.join(", ");
	const verdict =
		key.algorithms.length > 0 ? `used for ${key.algorithms.join(", ")}` : "ignored by bearerguard";
	const errors = key.problems.filter((problem) => problem.severity === "error");
	const shown = errors.length > 0 ? errors : key.problems;
	const kid = key.kid === undefined ? "no kid, " : `kid ${JSON.stringify(key.kid)}, `;
	if (shown.length === 0) return pass(name, `${kid}${shape}: ${verdict}`);
	const detail = `${kid}${shape}: ${verdict}`;
	const reason = shown.map((problem) => problem.code).join(", ");
	const fix = shown.map((problem) => problem.message).join("; ");
	return errors.length > 0 ? fail(name, detail, reason, fix) : { ...warn(name, detail, fix), reason };
}

async function checkJwks(jwksUri: string, timeout: number, report: Report): Promise<void> {
	const found = await probe(jwksUri, timeout);
	const problem = problemOf(found);
	if (problem !== undefined) {
		report.unreachable ||= found.failure !== undefined;
		report.lines.push(fail("jwks", problem.detail, problem.reason, problem.fix));
		return;
	}
	report.lines.push(pass("jwks", `GET ${jwksUri}: 200, ${size(found.bytes)} in ${Math.round(found.ms)} ms`));
	const type = found.headers?.get("content-type") ?? "";
	report.lines.push(
		/json/i.test(type)
			? pass("content-type", type)
			: warn(
					"content-type",
					type === "" ? "none" : type,
					"Serve the JWKS as application/json or application/jwk-set+json.",
				),
	);
	report.lines.push(cacheLine(found.headers));
	const document = parse(found.text);
	const explained = await explainJwks(document);
	report.keys = explained.keys;
	for (const key of explained.keys) report.lines.push(keyLine(key));
	for (const problem of explained.problems) report.lines.push(fail("keys", problem.message, problem.code));
	if (explained.problems.length === 0)
		report.lines.push(
			pass(
				"keys",
				`${explained.usable} signing key${explained.usable === 1 ? "" : "s"} of ${explained.keys.length} will be used`,
			),
		);
}

/** Loads the keys as the middleware does, once (discovery, JWKS, import): the last word. */
async function middlewareLoads(
	issuer: string,
	jwksUri: string | undefined,
	timeout: number,
	report: Report,
): Promise<void> {
	const verifier = createVerifier({
		issuer,
		audience: "urn:bearerguard:cli",
		jwksUri,
		tokenCache: false,
		jwks: { timeout },
	});
	try {
		const keys = await verifier.keys.cacheOf(issuer)?.getKeys();
		report.lines.push(
			pass("bearerguard", `the middleware loads ${keys?.length ?? 0} key${keys?.length === 1 ? "" : "s"}`),
		);
	} catch (error) {
		const detail =
			(error as Error).cause instanceof Error
				? ((error as Error).cause as Error).message
				: (error as Error).message;
		report.lines.push(
			fail(
				"bearerguard",
				`the middleware cannot load the keys: ${detail}`,
				(error as { reason?: string }).reason,
			),
		);
	}
}

/** Runs `jwks`; returns the exit code (0 no failure, 1 a failure or, with `--strict`, a warning, 3 unreachable). */
export async function jwks(io: Io, issuer: string, flags: JwksFlags): Promise<number> {
	if (!URL.canParse(issuer) || !/^https?:$/.test(new URL(issuer).protocol)) {
		throw new UsageError(`the issuer must be an absolute http(s) URL, got ${JSON.stringify(issuer)}.`);
	}
	const timeout = flags.timeout === undefined ? 5 : Number(duration(flags.timeout));
	if (!(timeout > 0)) throw new UsageError("--timeout must be a number of seconds, e.g. 5.");
	const report: Report = { lines: [], unreachable: false, jwksUri: flags.jwksUri, keys: [] };
	report.jwksUri ??= await discover(issuer, timeout, report);
	if (report.jwksUri !== undefined) await checkJwks(report.jwksUri, timeout, report);
	if (report.jwksUri !== undefined) await middlewareLoads(issuer, flags.jwksUri, timeout, report);
	const failed = report.lines.some(
		(line) => line.status === "fail" || (flags.strict === true && line.status === "warn"),
	);
	const code = report.unreachable ? EXIT.unavailable : failed ? EXIT.failed : EXIT.ok;
	if (flags.json) {
		writeJson(io, {
			issuer,
			jwksUri: report.jwksUri ?? null,
			ok: code === EXIT.ok,
			checks: report.lines,
			keys: report.keys,
		});
		return code;
	}
	const colour = colourFor(io);
	const paint = painter(colour);
	const verdict =
		code === EXIT.ok
			? paint("green", "OK")
			: code === EXIT.unavailable
				? paint("red", "UNREACHABLE")
				: paint("red", "PROBLEMS");
	io.stdout.write(
		[
			paint("bold", `bearerguard jwks ${issuer}`),
			"",
			formatLines(report.lines, colour),
			"",
			verdict,
			"",
		].join("\n"),
	);
	return code;
}
