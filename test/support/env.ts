/**
 * Runs `fn` with `vars` set in `process.env`, then restores every one of them, even if `fn` throws.
 * The adapters read `BEARERGUARD_*` when `requireAuth()` runs, so this scopes them to one middleware.
 *
 * @example
 * ```ts
 * const mw = withEnv({ BEARERGUARD_ISSUER: issuer }, () => requireAuth({ audience }))
 * ```
 */
export function withEnv<T>(vars: Readonly<Record<string, string>>, fn: () => T): T {
	const saved = new Map<string, string | undefined>();
	for (const [name, value] of Object.entries(vars)) {
		saved.set(name, process.env[name]);
		process.env[name] = value;
	}
	try {
		return fn();
	} finally {
		for (const [name, value] of saved) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	}
}
