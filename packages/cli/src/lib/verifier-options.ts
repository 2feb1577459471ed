/**
 * The verifier options of `inspect` and `jwks`: the `BEARERGUARD_*` environment (as the middleware
 * reads it), with flags winning over it.
 */
import {
	type Algorithm,
	type Duration,
	optionsFromEnvironment,
	type VerifierOptions,
} from "@bearerguard/core";

/** The flags that configure a verifier (commander's parsed options). */
export interface VerifierFlags {
	issuer?: string[];
	audience?: string[];
	jwksUri?: string;
	secret?: string;
	algorithms?: string;
	clockTolerance?: string;
	maxTokenAge?: string;
	typ?: string;
	requireExpiry?: boolean;
	organization?: string | boolean;
	timeout?: string;
}

/** A usage error: the CLI prints its message and exits with code 2. */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

/** `30` is seconds, `'30s'`, `'10m'` stay strings for the core to read. */
export function duration(value: string): Duration {
	return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value.trim();
}

/** Several values, given as repeated flags or comma/space separated. */
function list(values: readonly string[]): string[] {
	return values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== "");
}

function one(values: string[]): string | string[] {
	return values.length === 1 ? (values[0] as string) : values;
}

/** Flags over the environment, as `VerifierOptions`; issuer and audience are required (flag or environment). */
export function verifierOptions(flags: VerifierFlags, env: NodeJS.ProcessEnv): VerifierOptions {
	const options: VerifierOptions = { ...optionsFromEnvironment(env), tokenCache: false };
	if (flags.issuer !== undefined) options.issuer = one(list(flags.issuer));
	if (flags.audience !== undefined) options.audience = one(list(flags.audience));
	if (flags.jwksUri !== undefined) options.jwksUri = flags.jwksUri;
	if (flags.secret !== undefined) options.secret = flags.secret;
	if (flags.algorithms !== undefined) options.algorithms = list([flags.algorithms]) as Algorithm[];
	if (flags.clockTolerance !== undefined) options.clockTolerance = duration(flags.clockTolerance);
	if (flags.maxTokenAge !== undefined) options.maxTokenAge = duration(flags.maxTokenAge);
	if (flags.typ !== undefined) options.typ = flags.typ;
	if (flags.requireExpiry === false) options.requireExpiry = false;
	if (flags.organization !== undefined && flags.organization !== false) {
		options.organization = flags.organization === true ? true : { claim: flags.organization };
	}
	if (flags.timeout !== undefined) options.jwks = { timeout: duration(flags.timeout) };
	if (options.issuer === undefined)
		throw new UsageError("no issuer: pass --issuer <url> or set BEARERGUARD_ISSUER.");
	if (options.audience === undefined)
		throw new UsageError("no audience: pass --audience <value> or set BEARERGUARD_AUDIENCE.");
	return options;
}
