/**
 * How `BEARERGUARD_*` variables join the options given in code: they fill only what the code left
 * unset, they never change the kind of key source the code chose, and every error they cause names
 * the variable.
 */
import type { VerifierOptions } from "../types.js";
import { optionsFromEnvironment } from "./environment.js";

/** The variable each environment-filled option comes from. */
const VARIABLES: Readonly<Record<string, string>> = {
	issuer: "BEARERGUARD_ISSUER",
	audience: "BEARERGUARD_AUDIENCE",
	jwksUri: "BEARERGUARD_JWKS_URI",
	secret: "BEARERGUARD_SECRET",
	algorithms: "BEARERGUARD_ALGORITHMS",
	clockTolerance: "BEARERGUARD_CLOCK_TOLERANCE",
	realm: "BEARERGUARD_REALM",
};

/** Verifier options with the environment merged in, and which of them came from which variable. */
export interface MergedOptions {
	/** The options: the code's, and the environment's for those the code left unset. */
	readonly options: VerifierOptions;
	/** Option name → the variable it was read from, for the options the environment filled. */
	readonly sources: ReadonlyMap<string, string>;
}

const isHmac = (alg: unknown) => typeof alg === "string" && /^HS(256|384|512)$/.test(alg);

/** The kind of key source the code chose: a shared secret, a JWKS (configured or discovered), or none. */
function chosenKind(given: VerifierOptions): "secret" | "jwks" | undefined {
	if (given.secret !== undefined) return "secret";
	if (Array.isArray(given.algorithms) && given.algorithms.length > 0 && given.algorithms.every(isHmac)) {
		return "secret";
	}
	if (given.jwksUri !== undefined || given.issuer !== undefined || given.algorithms !== undefined)
		return "jwks";
	return undefined;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

/**
 * Merges the `BEARERGUARD_*` variables under the options given in code (options given as `undefined`
 * count as not given). Throws a `TypeError` naming the variable when the environment would change
 * the kind of key source the code chose: `BEARERGUARD_SECRET` beside a code `issuer`, `jwksUri` or
 * asymmetric `algorithms`, or `BEARERGUARD_JWKS_URI` beside a code `secret`.
 *
 * @example
 * ```ts
 * mergeEnvironment({ audience: 'https://api.example.com' }, { BEARERGUARD_ISSUER: 'https://auth.example.com/' })
 * // { options: { issuer: 'https://auth.example.com/', audience: 'https://api.example.com' }, sources: Map { 'issuer' => 'BEARERGUARD_ISSUER' } }
 * ```
 */
export function mergeEnvironment(given: VerifierOptions, env: NodeJS.ProcessEnv): MergedOptions {
	const code = Object.fromEntries(
		Object.entries(given).filter(([, value]) => value !== undefined),
	) as VerifierOptions;
	const fromEnvironment = optionsFromEnvironment(env) as Record<string, unknown>;
	const merged: Record<string, unknown> = { ...code };
	const sources = new Map<string, string>();
	for (const [name, value] of Object.entries(fromEnvironment)) {
		if (Object.hasOwn(code, name)) continue;
		merged[name] = value;
		sources.set(name, VARIABLES[name] ?? name);
	}
	const kind = chosenKind(code);
	if (kind === "jwks" && sources.has("secret")) {
		fail(
			'BEARERGUARD_SECRET is set, but the code configures keys from a JWKS ("issuer", "jwksUri" or asymmetric "algorithms"): the environment never turns a JWKS verifier into a shared-secret one. Unset BEARERGUARD_SECRET, or choose the secret in code ({ secret } or algorithms: [\'HS256\']).',
		);
	}
	if (kind === "secret" && sources.has("jwksUri")) {
		fail(
			'BEARERGUARD_JWKS_URI is set, but the code configures a shared "secret": the environment never turns a shared-secret verifier into a JWKS one. Unset BEARERGUARD_JWKS_URI, or drop "secret".',
		);
	}
	if (sources.has("secret") && sources.has("jwksUri")) {
		fail(
			"BEARERGUARD_SECRET and BEARERGUARD_JWKS_URI are both set: set the one your tokens are signed with.",
		);
	}
	return { options: merged as VerifierOptions, sources };
}

/**
 * Names the variables behind a configuration error: a `TypeError` whose message quotes an option that
 * the environment filled gets `(set by BEARERGUARD_...)`. Anything else is returned as is.
 *
 * @example
 * ```ts
 * throw nameVariables(error, merged.sources)
 * ```
 */
export function nameVariables(error: unknown, sources: ReadonlyMap<string, string>): unknown {
	if (!(error instanceof TypeError) || sources.size === 0) return error;
	const variables = [...sources]
		.filter(([name]) => error.message.includes(`"${name}"`) || error.message.includes(`"${name}.`))
		.map(([, variable]) => variable);
	if (variables.length === 0) return error;
	const message = error.message.replace(/\.$/, "");
	return new TypeError(`${message} (set by ${variables.join(" and ")}).`);
}
