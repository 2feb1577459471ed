import {
	type AuthOptions,
	createVerifier,
	sharedVerifier,
	toErrorResponse,
	type VerifierInternals,
} from "@bearerguard/core";
import request from "supertest";
import { type AdapterName, startApps, type TestApp } from "../../support/apps.js";
import type { FaultyIssuer } from "./faulty-issuer.js";

/**
 * What a fault scenario is run against: the core verifier itself, or one adapter app over HTTP.
 * Both report the same thing: the answer as the contract puts it, how long it took, and the fetch
 * count of their own JWKS cache.
 */

/** The parts of an answer the fault tests pin down. */
export interface Outcome {
	readonly status: number;
	readonly error: string | undefined;
	readonly message: string | undefined;
	readonly retryAfter: string | undefined;
	readonly challenge: string | undefined;
	/** Milliseconds from sending to the answer. */
	readonly ms: number;
}

export interface Subject {
	readonly name: string;
	/** Sends a token (as `Authorization: Bearer` for an app) and reports the outcome. */
	check(token: string): Promise<Outcome>;
	/** JWKS (or discovery + JWKS) fetches started by this subject's cache. */
	fetches(): number;
	close(): Promise<void>;
}

/** The kinds of subject: the core verifier, or an adapter. */
export type SubjectKind = "core" | AdapterName;

/** The fault tests' JWKS fetch timeout and refetch cooldown (also the error backoff: min(cooldown, 5 s)). */
export const TIMEOUT_MS = 500;
export const COOLDOWN_MS = 500;
/** A hang detector, not a performance bound: the timeout plus 1.5 s. */
export const BOUND_MS = TIMEOUT_MS + 1500;

/** Fault-test verifier options: short timeout, cooldown and cache ages so that every fault shows in seconds. */
export function faultOptions(
	issuer: FaultyIssuer,
	jwks: AuthOptions["jwks"] = {},
	discover = false,
): AuthOptions {
	return {
		issuer: issuer.issuer,
		audience: issuer.audience,
		...(discover ? {} : { jwksUri: issuer.jwksUri }),
		jwks: { timeout: "500ms", cooldown: "500ms", cacheMaxAge: "10m", staleIfError: "24h", ...jwks },
	};
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
	const start = performance.now();
	const value = await fn();
	return [value, Math.round(performance.now() - start)];
}

function fetchesOf(verifier: VerifierInternals, issuer: string): number {
	return verifier.keys.cacheOf(issuer)?.fetches ?? 0;
}

function coreSubject(options: AuthOptions): Subject {
	const verifier = createVerifier(options);
	const issuer = String(options.issuer);
	return {
		name: "core",
		async check(token) {
			const [response, ms] = await timed(async () => {
				try {
					await verifier.verify(token);
					return { status: 200, headers: {} as Record<string, string>, body: "{}" };
				} catch (error) {
					return toErrorResponse(error);
				}
			});
			const body = JSON.parse(response.body) as { error?: string; message?: string };
			return {
				status: response.status,
				error: body.error,
				message: body.message,
				retryAfter: response.headers["retry-after"],
				challenge: response.headers["www-authenticate"],
				ms,
			};
		},
		fetches: () => fetchesOf(verifier, issuer),
		close: async () => undefined,
	};
}

async function appSubject(kind: AdapterName, options: AuthOptions): Promise<Subject> {
	const apps: TestApp[] = await startApps({}, [
		{ method: "GET", path: "/r", auth: options, standalone: true },
	]);
	const app = apps.find((candidate) => candidate.name === kind) as TestApp;
	const verifier = sharedVerifier(options) as VerifierInternals;
	return {
		name: kind,
		async check(token) {
			const [res, ms] = await timed(async () =>
				request(app.url)
					.get("/r")
					.set("Authorization", `Bearer ${token}`)
					.ok(() => true),
			);
			const body = (res.body ?? {}) as { error?: string; message?: string };
			return {
				status: res.status,
				error: body.error,
				message: body.message,
				retryAfter: res.headers["retry-after"] as string | undefined,
				challenge: res.headers["www-authenticate"] as string | undefined,
				ms,
			};
		},
		fetches: () => fetchesOf(verifier, String(options.issuer)),
		close: async () => {
			await Promise.all(apps.map((candidate) => candidate.close()));
		},
	};
}

/** Creates the subject with these verifier options (each has its own JWKS cache). */
export function createSubject(kind: SubjectKind, options: AuthOptions): Promise<Subject> {
	return kind === "core" ? Promise.resolve(coreSubject(options)) : appSubject(kind, options);
}

/** The 503 of the contract: no challenge, `Retry-After` set. */
export const UNAVAILABLE = {
	status: 503,
	error: "temporarily_unavailable",
	message: "Signing keys are temporarily unavailable",
	challenge: undefined,
} as const;

/** A 401 of the contract with its fixed message. */
export function unauthorized(message: string) {
	return {
		status: 401,
		error: "invalid_token",
		message,
		challenge: `Bearer realm="api", error="invalid_token", error_description="${message}"`,
	} as const;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
