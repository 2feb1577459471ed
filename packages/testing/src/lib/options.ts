import type { TestAlgorithm, TestIssuerOptions } from "../types.js";

/** Every algorithm the test issuer supports, asymmetric first. */
export const TEST_ALGORITHMS: readonly TestAlgorithm[] = [
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
	"HS256",
	"HS384",
	"HS512",
];

const DISCOVERY_MODES = ["openid", "oauth", "both", "none"] as const;

/** {@link TestIssuerOptions} with every default applied and every value checked. */
export interface ResolvedOptions {
	algorithms: TestAlgorithm[];
	audience: string;
	host: string;
	port: number;
	discovery: (typeof DISCOVERY_MODES)[number];
	issuerPath: string;
}

/**
 * Whether a value names a supported algorithm.
 *
 * @example
 * ```ts
 * isTestAlgorithm("HS256"); // true
 * ```
 */
export function isTestAlgorithm(value: unknown): value is TestAlgorithm {
	return typeof value === "string" && (TEST_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Whether an algorithm uses the shared secret rather than a key pair.
 *
 * @example
 * ```ts
 * isSymmetric("HS384"); // true
 * ```
 */
export function isSymmetric(alg: TestAlgorithm): alg is "HS256" | "HS384" | "HS512" {
	return alg.startsWith("HS");
}

function normalizeIssuerPath(value: unknown): string {
	if (value === undefined) return "";
	if (typeof value !== "string" || /[?#\s]/.test(value)) {
		throw new TypeError("issuerPath must be a URL path such as '/tenant-a', without query or fragment.");
	}
	const trimmed = value.replace(/\/+$/, "");
	if (trimmed === "") return "";
	return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

function normalizeAlgorithms(value: unknown): TestAlgorithm[] {
	if (value === undefined) return ["RS256"];
	if (!Array.isArray(value) || value.length === 0 || !value.every(isTestAlgorithm)) {
		throw new TypeError(`algorithms must be a non-empty array of: ${TEST_ALGORITHMS.join(", ")}.`);
	}
	return [...new Set(value)];
}

function nonEmptyString(value: unknown, name: string, fallback: string): string {
	if (value === undefined) return fallback;
	if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string.`);
	return value;
}

/**
 * Applies the defaults of {@link TestIssuerOptions} and checks every value.
 *
 * @throws TypeError naming the first bad option
 * @example
 * ```ts
 * resolveOptions({ issuerPath: "tenant-a/" }).issuerPath; // '/tenant-a'
 * ```
 */
export function resolveOptions(options: TestIssuerOptions = {}): ResolvedOptions {
	const port = options.port ?? 0;
	if (!Number.isInteger(port) || port < 0 || port > 65_535) {
		throw new TypeError("port must be an integer from 0 to 65535 (0 picks a free port).");
	}
	const discovery = options.discovery ?? "both";
	if (!DISCOVERY_MODES.includes(discovery)) {
		throw new TypeError(`discovery must be one of: ${DISCOVERY_MODES.join(", ")}.`);
	}
	return {
		algorithms: normalizeAlgorithms(options.algorithms),
		audience: nonEmptyString(options.audience, "audience", "https://api.example.test"),
		host: nonEmptyString(options.host, "host", "127.0.0.1"),
		port,
		discovery,
		issuerPath: normalizeIssuerPath(options.issuerPath),
	};
}
