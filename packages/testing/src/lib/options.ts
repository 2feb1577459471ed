import type { JWK } from "jose";
import type { IntrospectionClient, TestAlgorithm, TestIssuerOptions } from "../types.js";

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
	seed: string | undefined;
	/** The given private JWKs by algorithm. */
	keys: Map<TestAlgorithm, JWK> | undefined;
	introspectionClient: IntrospectionClient | undefined;
}

/** The `kty` (and `crv`) a private JWK must have for each asymmetric algorithm. */
const KEY_TYPES: Readonly<Record<string, { kty: string; crv?: string }>> = {
	RS: { kty: "RSA" },
	PS: { kty: "RSA" },
	ES256: { kty: "EC", crv: "P-256" },
	ES384: { kty: "EC", crv: "P-384" },
	ES512: { kty: "EC", crv: "P-521" },
	EdDSA: { kty: "OKP", crv: "Ed25519" },
};

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkPrivateJwk(value: unknown, index: number): [TestAlgorithm, JWK] {
	const name = `keys[${index}]`;
	if (!isPlainObject(value)) throw new TypeError(`${name} must be a private JWK object.`);
	const { alg } = value;
	if (!isTestAlgorithm(alg) || isSymmetric(alg)) {
		const asymmetric = TEST_ALGORITHMS.filter((entry) => !isSymmetric(entry));
		throw new TypeError(`${name}.alg must be one of: ${asymmetric.join(", ")}.`);
	}
	const expected = KEY_TYPES[alg] ?? KEY_TYPES[alg.slice(0, 2)];
	if (expected && (value.kty !== expected.kty || (expected.crv && value.crv !== expected.crv))) {
		const shape = expected.crv ? `kty '${expected.kty}' and crv '${expected.crv}'` : `kty '${expected.kty}'`;
		throw new TypeError(`${name} must have ${shape} for ${alg}.`);
	}
	if (typeof value.d !== "string") throw new TypeError(`${name} must be a private key (with 'd').`);
	return [alg, value as JWK];
}

function normalizeKeys(value: unknown): Map<TestAlgorithm, JWK> | undefined {
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || value.length === 0) {
		throw new TypeError("keys must be a non-empty array of private JWKs, each with its alg.");
	}
	const keys = new Map<TestAlgorithm, JWK>();
	value.forEach((entry, index) => {
		const [alg, jwk] = checkPrivateJwk(entry, index);
		if (keys.has(alg)) throw new TypeError(`keys has two ${alg} keys; give one key per algorithm.`);
		keys.set(alg, jwk);
	});
	return keys;
}

function normalizeClient(value: unknown): IntrospectionClient | undefined {
	if (value === undefined) return undefined;
	const valid =
		isPlainObject(value) &&
		typeof value.clientId === "string" &&
		typeof value.clientSecret === "string" &&
		value.clientId !== "" &&
		value.clientSecret !== "";
	if (!valid) {
		throw new TypeError("introspectionClient must be { clientId, clientSecret } with non-empty strings.");
	}
	return { clientId: value.clientId as string, clientSecret: value.clientSecret as string };
}

function normalizeAlgorithms(value: unknown, keys: Map<TestAlgorithm, JWK> | undefined): TestAlgorithm[] {
	if (value === undefined) return keys ? [...keys.keys()] : ["RS256"];
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
	if (options.seed !== undefined && (typeof options.seed !== "string" || options.seed === "")) {
		throw new TypeError("seed must be a non-empty string.");
	}
	const keys = normalizeKeys(options.keys);
	const algorithms = normalizeAlgorithms(options.algorithms, keys);
	for (const alg of keys?.keys() ?? []) {
		if (!algorithms.includes(alg)) {
			throw new TypeError(`keys has a ${alg} key, but ${alg} is not in algorithms; add it there.`);
		}
	}
	return {
		algorithms,
		audience: nonEmptyString(options.audience, "audience", "https://api.example.test"),
		host: nonEmptyString(options.host, "host", "127.0.0.1"),
		port,
		discovery,
		issuerPath: normalizeIssuerPath(options.issuerPath),
		seed: options.seed,
		keys,
		introspectionClient: normalizeClient(options.introspectionClient),
	};
}
