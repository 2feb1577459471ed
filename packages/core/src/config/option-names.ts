/**
 * Every option name bearerguard knows, in one place, so a misspelt or unknown option is a `TypeError`
 * that names the closest known one, in JavaScript as in TypeScript. A new option is one line here: its
 * name in `verifier` (or `guard`, `adapter`), and, when its value is an object of named settings, one
 * line in `nested` listing them.
 */

/**
 * The known option names, by where they are given.
 *
 * @example
 * ```ts
 * OPTION_NAMES.nested.jwks // ['cacheMaxAge', 'cooldown', 'timeout', 'staleIfError']
 * ```
 */
export const OPTION_NAMES = {
	/** Options of the verifier (`createVerifier`), accepted by every adapter. */
	verifier: [
		"issuer",
		"audience",
		"jwksUri",
		"secret",
		"algorithms",
		"clockTolerance",
		"maxTokenAge",
		"requireExpiry",
		"typ",
		"organization",
		"permissionsClaim",
		"isRevoked",
		"validate",
		"jwks",
		"maxTokenLength",
		"realm",
		"allowQueryToken",
		"allowBodyToken",
		"tokenCache",
		"audienceClaim",
		"fetch",
		"prefetch",
		"resource",
		"apiKeys",
		"introspection",
		"dpop",
		"mtls",
	],
	/** What a route requires (`requireAuth`, `verifier.guard`). */
	guard: ["permissions", "anyPermission", "optional"],
	/** How an adapter answers failures. */
	adapter: ["onError", "errorHandling"],
	/**
	 * Options whose value may be a plain object of named settings, by dotted path: its members are
	 * checked too (values that are not plain objects, such as `true` or a class instance, are not).
	 */
	nested: {
		jwks: ["cacheMaxAge", "cooldown", "timeout", "staleIfError"],
		organization: ["claim", "required", "pattern", "header"],
		tokenCache: ["max", "maxAge"],
		resource: ["metadata"],
		apiKeys: ["header", "query", "keys", "lookup", "format", "cache", "timeout", "deprecation"],
		"apiKeys.cache": ["max", "maxAge"],
		"apiKeys.deprecation": ["since", "sunset", "link"],
		introspection: [
			"endpoint",
			"clientId",
			"clientSecret",
			"auth",
			"cacheMaxAge",
			"cacheMaxEntries",
			"timeout",
			"jwt",
		],
		dpop: ["mode", "algorithms", "proofMaxAge", "nonce", "replay"],
		"dpop.nonce": ["secret", "step"],
		mtls: ["certificate", "required"],
		"mtls.certificate": ["header"],
	} as Readonly<Record<string, readonly string[]>>,
} as const;

/** Where options are given: each scope accepts its own names and those of the scopes it contains. */
export type OptionScope = "guard" | "verifier" | "authenticator" | "adapter";

const ACCEPTED: Readonly<Record<OptionScope, ReadonlySet<string>>> = {
	guard: new Set(OPTION_NAMES.guard),
	verifier: new Set(OPTION_NAMES.verifier),
	authenticator: new Set([...OPTION_NAMES.verifier, ...OPTION_NAMES.guard]),
	adapter: new Set([...OPTION_NAMES.verifier, ...OPTION_NAMES.guard, ...OPTION_NAMES.adapter]),
};

const EVERY_NAME: readonly string[] = [
	...OPTION_NAMES.verifier,
	...OPTION_NAMES.guard,
	...OPTION_NAMES.adapter,
];

/** Names compared loosely: case, `_` and `-` do not count (`jwks_uri` is `jwksUri`). */
function loose(name: string): string {
	return name.toLowerCase().replace(/[_-]/g, "");
}

/** Levenshtein distance, with a transposition counting as one edit. */
function distance(a: string, b: string): number {
	const rows: number[][] = [];
	for (let i = 0; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++) {
			if (i === 0) {
				row.push(j);
				continue;
			}
			const above = rows[i - 1] as number[];
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(
				(above[j] as number) + 1,
				(row[j - 1] as number) + 1,
				(above[j - 1] as number) + cost,
			);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
				best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
			}
			row.push(best);
		}
		rows.push(row);
	}
	return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known name closest to `name`, when it is close enough to be a slip (at most a third of its
 * letters wrong, and at least one right); `undefined` otherwise.
 *
 * @example
 * ```ts
 * closestName('audiance', ['issuer', 'audience']) // 'audience'
 * ```
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
	const target = loose(name);
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of known) {
		const d = distance(target, loose(candidate));
		if (d < bestDistance) {
			best = candidate;
			bestDistance = d;
		}
	}
	const allowed = Math.max(1, Math.floor(Math.max(target.length, 3) / 3));
	return bestDistance <= allowed ? best : undefined;
}

function fail(message: string): never {
	throw new TypeError(`bearerguard: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== "object" || value === null) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/** Where a known option of another scope goes, for the message. */
function misplaced(name: string, scope: OptionScope): string | undefined {
	if (scope === "guard" && (OPTION_NAMES.verifier as readonly string[]).includes(name)) {
		return `"${name}" is a verifier option, not a guard option: give it to createVerifier({ ${name} }) or requireAuth({ ${name} }).`;
	}
	if ((OPTION_NAMES.guard as readonly string[]).includes(name)) {
		return `"${name}" is a guard option, not a verifier option: give it to requireAuth({ ${name} }) or verifier.guard({ ${name} }).`;
	}
	if ((OPTION_NAMES.adapter as readonly string[]).includes(name) && scope !== "adapter") {
		return `"${name}" is an adapter option: give it to requireAuth({ ${name} }) of an adapter, not to the core.`;
	}
	return undefined;
}

function unknownNested(path: string, name: string, known: readonly string[]): never {
	const closest = closestName(name, known);
	if (closest !== undefined) fail(`unknown option "${path}.${name}": did you mean "${path}.${closest}"?`);
	fail(
		`unknown option "${path}.${name}"; the known ones are ${known.map((each) => `${path}.${each}`).join(", ")}.`,
	);
}

/**
 * Throws a `TypeError` for an option name that bearerguard does not know (or that belongs elsewhere),
 * at the top level and inside the nested settings of {@link OPTION_NAMES}.nested, naming the closest
 * known one. Runs once, when a factory runs.
 *
 * @example
 * ```ts
 * checkOptionNames({ issuer, audiance: 'x' }, 'verifier') // TypeError: ... did you mean "audience"?
 * ```
 */
export function checkOptionNames(options: unknown, scope: OptionScope): void {
	if (typeof options !== "object" || options === null) fail("options must be an object.");
	const accepted = ACCEPTED[scope];
	for (const name of Object.keys(options)) {
		if (accepted.has(name)) continue;
		const elsewhere = misplaced(name, scope);
		if (elsewhere !== undefined) fail(elsewhere);
		const closest = closestName(name, EVERY_NAME);
		if (closest !== undefined) fail(`unknown option "${name}": did you mean "${closest}"?`);
		fail(`unknown option "${name}"; the known ones are ${[...accepted].join(", ")}.`);
	}
	for (const [path, names] of Object.entries(OPTION_NAMES.nested)) {
		let value: unknown = options;
		for (const step of path.split(".")) {
			value = isPlainObject(value) && Object.hasOwn(value, step) ? value[step] : undefined;
		}
		if (!isPlainObject(value)) continue;
		for (const name of Object.keys(value)) {
			if (!names.includes(name)) unknownNested(path, name, names);
		}
	}
}
