// The fleet: three instances of the products API (Express, Koa, Fastify), each in a process of its own
// with its own Redis connections and revocation mirror, sharing one Redis. runFleetDemo() logs a
// token out on one instance and shows every instance refusing it; scripts/demo.ts imports it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createTestIssuer, type TestIssuer } from "@bearerguard/testing";
import { type FleetRedis, fleetRedis } from "./redis.js";

const INSTANCE = join(import.meta.dirname, "instance.ts");
const FRAMEWORKS = ["express", "koa", "fastify"] as const;
const ORGANIZATION = "org_demo";

export interface FleetInstance {
	readonly framework: string;
	readonly url: string;
	stop(): Promise<void>;
}

/** Starts one instance process and resolves once it listens. */
async function startInstance(framework: string, env: Record<string, string>): Promise<FleetInstance> {
	// Workspace packages resolve as in this process: from their sources if it runs with that condition.
	const conditions = process.execArgv.filter((arg) => arg.startsWith("--conditions"));
	const child: ChildProcess = spawn(
		process.execPath,
		[...conditions, "--import", "tsx", INSTANCE, framework],
		{
			env: { ...process.env, ...env },
			stdio: ["ignore", "pipe", "pipe"],
		},
	);
	let stderr = "";
	child.stderr?.on("data", (chunk) => {
		stderr += chunk;
	});
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		const exited = once(child, "exit");
		child.kill("SIGTERM");
		const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
		await exited;
		clearTimeout(timer);
	};
	const lines = createInterface({ input: child.stdout! });
	try {
		const first = await Promise.race([
			once(lines, "line").then(([line]) => line as string),
			once(child, "exit").then(() =>
				Promise.reject(new Error(`${framework} instance exited: ${stderr.trim()}`)),
			),
			new Promise<never>((_, reject) =>
				setTimeout(
					() => reject(new Error(`${framework} instance did not start within 30 s`)),
					30_000,
				).unref(),
			),
		]);
		return { framework, url: (JSON.parse(first) as { url: string }).url, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Starts the three instances against `redisUrl` and `issuer`. */
export async function startFleet(redisUrl: string, issuer: TestIssuer): Promise<FleetInstance[]> {
	const env = {
		BEARERGUARD_ISSUER: issuer.issuer,
		BEARERGUARD_AUDIENCE: issuer.audience,
		REDIS_URL: redisUrl,
		PORT: "0",
	};
	const started = await Promise.allSettled(FRAMEWORKS.map((framework) => startInstance(framework, env)));
	const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
	const failed = started.find((result) => result.status === "rejected");
	if (failed) {
		await Promise.all(instances.map((instance) => instance.stop()));
		throw failed.reason;
	}
	return instances;
}

/** One answer checked by the tour. */
export interface FleetCheck {
	readonly step: string;
	readonly instance: string;
	readonly expected: number;
	readonly status: number;
	/** For a refusal: milliseconds from the start of the logout request until this instance refused it. */
	readonly ms: number | undefined;
	readonly ok: boolean;
}

export interface FleetDemoResult {
	readonly ok: boolean;
	readonly checks: readonly FleetCheck[];
	/** The tour as text: one line per step and instance. */
	readonly report: string;
}

function request(url: string, token: string, method = "GET"): Promise<Response> {
	return fetch(url, {
		method,
		headers: { authorization: `Bearer ${token}`, "x-organization-id": ORGANIZATION },
	});
}

/**
 * Polls until `url` refuses `token` (2 s at most): resolves 401 for the revocation's 401, the status
 * negated for any other refusal, 200 if it never refused.
 */
async function untilRefused(url: string, token: string): Promise<number> {
	const deadline = performance.now() + 2000;
	for (;;) {
		const response = await request(url, token);
		const body = (await response.json().catch(() => ({}))) as { message?: string };
		if (response.status !== 200)
			return body.message === "Token has been revoked" ? response.status : -response.status;
		if (performance.now() > deadline) return 200;
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
}

/** Logs tokens out on one instance and checks every instance; the instances must be running. */
export async function tourFleet(
	instances: readonly FleetInstance[],
	issuer: TestIssuer,
): Promise<FleetDemoResult> {
	const sign = (sub: string) => issuer.sign({ sub, permissions: ["read"], org_id: ORGANIZATION });
	const [sessionA, sessionB, sessionC, otherUser] = await Promise.all([
		sign("user_123"),
		sign("user_123"),
		sign("user_123"),
		sign("user_456"),
	]);
	const checks: FleetCheck[] = [];
	const on = (framework: string) =>
		instances.find((instance) => instance.framework === framework) as FleetInstance;
	const everywhere = async (step: string, token: string, expected: number) => {
		for (const instance of instances) {
			const status = (await request(`${instance.url}/v1/products`, token)).status;
			checks.push({
				step,
				instance: instance.framework,
				expected,
				status,
				ms: undefined,
				ok: status === expected,
			});
		}
	};
	/** Logs `token` out through `path` on one instance while every instance is polled until it refuses `watched`. */
	const logout = async (step: string, framework: string, path: string, token: string, watched: string) => {
		const started = performance.now();
		const refusals = instances.map(async (instance) => {
			const status = await untilRefused(`${instance.url}/v1/products`, watched);
			return { instance: instance.framework, status, ms: performance.now() - started };
		});
		const status = (await request(`${on(framework).url}${path}`, token, "POST")).status;
		const answered = performance.now() - started;
		checks.push({ step, instance: framework, expected: 204, status, ms: answered, ok: status === 204 });
		const refusedStep = `${step}: refused everywhere`;
		for (const refused of await Promise.all(refusals)) {
			checks.push({ step: refusedStep, expected: 401, ...refused, ok: refused.status === 401 });
		}
	};

	await everywhere("1. user_123's token works on every instance", sessionA, 200);
	await logout("2. POST /v1/logout on express", "express", "/v1/logout", sessionA, sessionA);
	await everywhere("3. user_123's other session still works", sessionB, 200);
	await logout("4. POST /v1/logout/everywhere on koa", "koa", "/v1/logout/everywhere", sessionC, sessionB);
	await everywhere("5. user_456's token still works", otherUser, 200);

	const lines = checks.map((check) => {
		const mark = check.ok ? "✓" : "✗";
		const timing = check.ms === undefined ? "" : `, ${check.ms.toFixed(1)} ms after the logout request began`;
		const expected = check.ok ? "" : ` (expected ${check.expected})`;
		return `  ${mark} ${check.step.padEnd(58)} ${check.instance.padEnd(8)} ${check.status}${expected}${timing}`;
	});
	return { ok: checks.every((check) => check.ok), checks, report: lines.join("\n") };
}

/**
 * The fleet demo, start to end: a Redis (`redisUrl`'s, default redis://127.0.0.1:6379, or a throwaway
 * redis-server), an embedded test issuer, the three instances, the tour; everything is stopped before
 * it resolves. Resolves `{ skipped }` instead when there is no Redis at all (no redis-server either).
 *
 * @example
 * ```ts
 * const fleet = await runFleetDemo({ redisUrl: process.env.REDIS_URL })
 * if ('skipped' in fleet) console.log(`fleet: skipped (${fleet.skipped})`)
 * else console.log(fleet.report)
 * ```
 */
export async function runFleetDemo(
	options: { redisUrl?: string } = {},
): Promise<FleetDemoResult | { skipped: string }> {
	let redis: FleetRedis;
	try {
		redis = await fleetRedis(options.redisUrl);
	} catch (error) {
		return { skipped: (error as Error).message };
	}
	const issuer = await createTestIssuer({ audience: "https://api.example.com" });
	let instances: FleetInstance[] = [];
	try {
		instances = await startFleet(redis.url, issuer);
		return await tourFleet(instances, issuer);
	} finally {
		await Promise.all(instances.map((instance) => instance.stop()));
		await issuer.close();
		await redis.close();
	}
}
