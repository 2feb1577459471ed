/**
 * The README's recipes, run as written: the files below are quoted verbatim in the README's
 * Operability section, and these tests run them against real apps on every adapter.
 */
import { readFileSync } from "node:fs";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import {
	AggregationTemporality,
	type HistogramMetricData,
	MeterProvider,
	MetricReader,
	type SumMetricData,
} from "@opentelemetry/sdk-metrics";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApps, type TestApp } from "../support/apps.js";
import { send } from "../support/http.js";
import { recordAuthMetrics } from "./recipes/auth-metrics.js";
import { logRefusals } from "./recipes/log-refusals.js";

const recipe = (name: string) => readFileSync(new URL(`./recipes/${name}`, import.meta.url), "utf8");
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

let issuer: TestIssuer;
let gone: string;
let apps: TestApp[];

beforeAll(async () => {
	issuer = await createTestIssuer();
	const down = await createTestIssuer();
	gone = down.issuer;
	await down.close();
	apps = await startApps({ issuer: issuer.issuer, audience: issuer.audience }, [
		{ method: "GET", path: "/p" },
		{
			method: "GET",
			path: "/down",
			standalone: true,
			auth: { issuer: gone, audience: "https://api.example" },
		},
		{
			method: "GET",
			path: "/mismatch",
			standalone: true,
			auth: { issuer: `${issuer.issuer}/`, audience: issuer.audience },
		},
	]);
});
afterAll(async () => {
	await Promise.all(apps.map((app) => app.close()));
	await issuer.close();
});

const get = (path: string, token?: string) => ({
	method: "GET" as const,
	path,
	headers: token === undefined ? undefined : { authorization: `Bearer ${token}` },
});

describe("the README quotes the recipes verbatim", () => {
	it.each(["log-refusals.ts", "auth-metrics.ts"])("%s", (name) => {
		const quoted = readme.includes(`\`\`\`ts\n${recipe(name)}\`\`\``);
		expect(quoted, `README.md quotes test/operability/recipes/${name} in a ts block, verbatim`).toBe(true);
	});
});

describe("pino: logging refusals", () => {
	it("logs why each request was refused, the failed fetches and the configuration error, never a token", async () => {
		const lines: string[] = [];
		const logger = pino({ base: undefined, timestamp: false }, { write: (line: string) => lines.push(line) });
		const undo = logRefusals(logger);
		const tokens: string[] = [];
		try {
			for (const app of apps) {
				const good = await issuer.sign();
				const expired = await issuer.sign({}, { expiresIn: -60 });
				const elsewhere = await issuer.sign({ aud: "https://elsewhere.example" });
				tokens.push(good, expired, elsewhere);
				lines.length = 0;
				expect((await send(app, get("/p", good))).status).toBe(200);
				expect((await send(app, get("/p", expired))).status).toBe(401);
				expect((await send(app, get("/p", elsewhere))).status).toBe(401);
				expect((await send(app, get("/p"))).status).toBe(401);
				expect(lines.map((line) => JSON.parse(line))).toEqual([
					{
						level: 40,
						reason: "token_expired",
						status: 401,
						scheme: "Bearer",
						issuer: issuer.issuer,
						msg: "request refused",
					},
					{
						level: 40,
						reason: "audience_mismatch",
						status: 401,
						scheme: "Bearer",
						issuer: issuer.issuer,
						detail: `the token has aud "https://elsewhere.example"; expected one of the accepted audiences ["${issuer.audience}"]`,
						msg: "request refused",
					},
					{ level: 40, reason: "token_missing", status: 401, msg: "request refused" },
				]);
			}
			lines.length = 0;
			const port = new URL(gone).port;
			expect(
				(
					await send(
						apps[0] as TestApp,
						get("/down", await issuer.sign({ iss: gone, aud: "https://api.example" })),
					)
				).status,
			).toBe(503);
			const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
			expect(parsed.map(({ ms: _, ...line }) => line)).toEqual([
				{
					level: 50,
					kind: "discovery",
					url: `${gone}/.well-known/openid-configuration`,
					code: "ECONNREFUSED",
					msg: "discovery fetch failed",
				},
				{
					level: 50,
					kind: "discovery",
					url: `${gone}/.well-known/oauth-authorization-server`,
					code: "ECONNREFUSED",
					msg: "discovery fetch failed",
				},
				{
					level: 40,
					reason: "discovery_failed",
					status: 503,
					scheme: "Bearer",
					issuer: gone,
					detail: `no metadata could be had for ${gone}: GET ${gone}/.well-known/openid-configuration failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port}); GET ${gone}/.well-known/oauth-authorization-server failed: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`,
					msg: "request refused",
				},
			]);
			lines.length = 0;
			const slash = await issuer.sign({ iss: `${issuer.issuer}/` });
			for (const app of apps) expect((await send(app, get("/mismatch", slash))).status).toBe(503);
			const configuration = lines
				.map((line) => JSON.parse(line) as Record<string, unknown>)
				.filter((line) => line.problem !== undefined);
			expect(configuration).toEqual([
				{
					level: 50,
					problem: "discovery_issuer_mismatch",
					issuer: `${issuer.issuer}/`,
					found: issuer.issuer,
					msg: `the metadata names the issuer "${issuer.issuer}", not the configured "${issuer.issuer}/" (they differ only in the trailing slash): configure the exact iss of your tokens ("${issuer.issuer}" if the issuer puts its own name in them)`,
				},
			]);
		} finally {
			undo();
		}
		lines.length = 0;
		await send(apps[0] as TestApp, get("/p"));
		expect(lines).toEqual([]);
		for (const token of tokens) expect(lines.join("")).not.toContain(token.split(".")[2]);
	});
});

class TestReader extends MetricReader {
	protected override async onShutdown(): Promise<void> {}
	protected override async onForceFlush(): Promise<void> {}
}

/** What the metrics hold so far: counts by outcome and reason, durations recorded by outcome and cache hit. */
async function readMetrics(reader: MetricReader) {
	const { resourceMetrics, errors } = await reader.collect();
	expect(errors).toEqual([]);
	const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
	const counter = all.find((metric) => metric.descriptor.name === "bearerguard.authentications") as
		| SumMetricData
		| undefined;
	const histogram = all.find((metric) => metric.descriptor.name === "bearerguard.authentication.duration") as
		| HistogramMetricData
		| undefined;
	const counts = Object.fromEntries(
		(counter?.dataPoints ?? []).map((point) => [
			`${point.attributes.outcome}/${point.attributes.reason}`,
			point.value,
		]),
	);
	const durations = Object.fromEntries(
		(histogram?.dataPoints ?? []).map((point) => [
			`${point.attributes.outcome}/${point.attributes.cache_hit}`,
			point.value.count,
		]),
	);
	return { counter, histogram, counts, durations };
}

/** `after` minus `before`, key by key, leaving out what did not change. */
function added(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
	const delta: Record<string, number> = {};
	for (const [key, value] of Object.entries(after)) {
		if (value !== (before[key] ?? 0)) delta[key] = value - (before[key] ?? 0);
	}
	return delta;
}

describe("OpenTelemetry: metrics", () => {
	it("counts authentications by outcome and reason, and records their duration, on every adapter", async () => {
		const reader = new TestReader({
			aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
		});
		const provider = new MeterProvider({ readers: [reader] });
		const undo = recordAuthMetrics(provider.getMeter("bearerguard"));
		let before = await readMetrics(reader);
		try {
			for (const app of apps) {
				// A fresh token: verified twice (cached from its second verification), then a cache hit.
				const good = await issuer.sign();
				for (let i = 0; i < 3; i++) await send(app, get("/p", good));
				await send(app, get("/p", await issuer.sign({}, { expiresIn: -60 })));
				await send(app, get("/p"));
				const after = await readMetrics(reader);
				expect(added(after.counts, before.counts), app.name).toEqual({
					"authenticated/none": 3,
					"refused/token_expired": 1,
					"refused/token_missing": 1,
				});
				expect(added(after.durations, before.durations), app.name).toEqual({
					"authenticated/false": 2,
					"authenticated/true": 1,
					"refused/false": 2,
				});
				before = after;
			}
		} finally {
			undo();
		}
		// Nothing is recorded once the recipe is undone.
		await send(apps[0] as TestApp, get("/p"));
		const { counter, histogram, counts, durations } = await readMetrics(reader);
		expect(counts).toEqual(before.counts);
		expect(durations).toEqual(before.durations);
		expect(counter?.descriptor.unit).toBe("{authentication}");
		expect(histogram?.descriptor.unit).toBe("s");
		for (const point of histogram?.dataPoints ?? []) {
			expect(point.value.buckets.boundaries).toEqual([0.000_01, 0.000_1, 0.001, 0.01, 0.1, 1, 5]);
			expect(point.value.sum).toBeGreaterThan(0);
			expect(point.value.max).toBeLessThan(5);
		}
		expect(histogram?.dataPoints).toHaveLength(3);
		await provider.shutdown();
	});
});
