import type { Duration } from "../types.js";

const UNITS: Readonly<Record<string, number>> = {
	ms: 0.001,
	s: 1,
	sec: 1,
	m: 60,
	min: 60,
	h: 3600,
	d: 86_400,
};

const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)$/;

/**
 * Converts a duration option to seconds: a non-negative number of seconds, or a string like `'30s'`,
 * `'10m'`, `'24h'`, `'7d'`, `'500ms'`. Throws a `TypeError` that names the option otherwise.
 *
 * @example
 * ```ts
 * toSeconds('10m', 'jwks.cooldown') // 600
 * ```
 */
export function toSeconds(value: Duration, name: string): number {
	if (typeof value === "number") {
		if (Number.isFinite(value) && value >= 0) return value;
	} else if (typeof value === "string") {
		const match = PATTERN.exec(value.trim());
		if (match) return Number(match[1]) * (UNITS[match[2] as string] as number);
	}
	throw new TypeError(
		`bearerguard: "${name}" must be a number of seconds (>= 0) or a string such as '30s', '10m' or '24h'.`,
	);
}
