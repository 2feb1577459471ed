import type { TestDuration } from "../types.js";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(-?\d+(?:\.\d+)?)\s*([smhd]?)$/;

/**
 * Converts a duration to whole seconds (rounded toward zero).
 *
 * @param value - seconds, or a string such as `'30s'`, `'10m'`, `'24h'`, `'2d'`, `'-1m'`
 * @param name - the option name used in the error message
 * @throws TypeError when the value is not a finite number or a recognised string
 * @example
 * ```ts
 * toSeconds("10m", "expiresIn"); // 600
 * ```
 */
export function toSeconds(value: TestDuration, name: string): number {
	if (typeof value === "number") {
		if (!Number.isFinite(value)) throw new TypeError(`${name} must be a finite number of seconds.`);
		return Math.trunc(value);
	}
	const match = typeof value === "string" ? DURATION.exec(value.trim()) : null;
	if (!match) {
		throw new TypeError(`${name} must be seconds or a string such as '30s', '10m', '24h' or '2d'.`);
	}
	const unit = UNIT_SECONDS[match[2] || "s"] ?? 1;
	return Math.trunc(Number(match[1]) * unit);
}
