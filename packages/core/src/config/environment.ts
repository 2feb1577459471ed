import type { Algorithm, VerifierOptions } from "../types.js";

/** The environment variables read for options not given in code. */
export const ENVIRONMENT_VARIABLES = [
	"BEARERGUARD_ISSUER",
	"BEARERGUARD_AUDIENCE",
	"BEARERGUARD_JWKS_URI",
	"BEARERGUARD_SECRET",
	"BEARERGUARD_ALGORITHMS",
	"BEARERGUARD_CLOCK_TOLERANCE",
	"BEARERGUARD_REALM",
] as const;

function list(value: string): string[] {
	return value
		.split(/[\s,]+/)
		.map((item) => item.trim())
		.filter((item) => item !== "");
}

function one<T>(items: T[]): T | T[] {
	return items.length === 1 ? (items[0] as T) : items;
}

/**
 * Reads verifier options from `BEARERGUARD_*` environment variables: `ISSUER` and `AUDIENCE` (several
 * separated by commas or spaces), `JWKS_URI`, `SECRET`, `ALGORITHMS` (comma separated),
 * `CLOCK_TOLERANCE` (seconds or `'30s'`), `REALM`. Empty variables count as unset.
 *
 * @example
 * ```ts
 * optionsFromEnvironment({ BEARERGUARD_ISSUER: 'https://auth.example.com/' }) // { issuer: 'https://auth.example.com/' }
 * ```
 */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): VerifierOptions {
	const options: VerifierOptions = {};
	const get = (name: (typeof ENVIRONMENT_VARIABLES)[number]) => {
		const value = env[name]?.trim();
		return value === undefined || value === "" ? undefined : value;
	};
	const issuer = get("BEARERGUARD_ISSUER");
	if (issuer) options.issuer = one(list(issuer));
	const audience = get("BEARERGUARD_AUDIENCE");
	if (audience) options.audience = one(list(audience));
	const jwksUri = get("BEARERGUARD_JWKS_URI");
	if (jwksUri) options.jwksUri = jwksUri;
	const secret = get("BEARERGUARD_SECRET");
	if (secret) options.secret = secret;
	const algorithms = get("BEARERGUARD_ALGORITHMS");
	if (algorithms) options.algorithms = list(algorithms) as Algorithm[];
	const tolerance = get("BEARERGUARD_CLOCK_TOLERANCE");
	if (tolerance) options.clockTolerance = /^\d+(\.\d+)?$/.test(tolerance) ? Number(tolerance) : tolerance;
	const realm = get("BEARERGUARD_REALM");
	if (realm) options.realm = realm;
	return options;
}
