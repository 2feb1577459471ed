/** A markdown table: a header row, an alignment row (text left, numbers right), the rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
	const numeric = header.map((_, column) =>
		rows.every((row) => /^[-+\d.,×x%]*$|^n\/a$/.test(row[column] ?? "")),
	);
	const lines = [
		`| ${header.join(" | ")} |`,
		`| ${numeric.map((isNumber) => (isNumber ? "---:" : "---")).join(" | ")} |`,
		...rows.map((row) => `| ${row.join(" | ")} |`),
	];
	return lines.join("\n");
}

/** A whole number with thousands separators: `41,523`. */
export function formatCount(value: number): string {
	return Math.round(value).toLocaleString("en-US");
}

/** A ratio with two decimals and a times sign: `0.93×`; `n/a` when it cannot be computed. */
export function formatRatio(value: number | undefined): string {
	return value === undefined || !Number.isFinite(value) ? "n/a" : `${value.toFixed(2)}×`;
}

/** Milliseconds with two decimals. */
export function formatMs(value: number): string {
	return value.toFixed(2);
}

/** A signed difference with one decimal: `+12.5`, `-0.3`. */
export function formatDelta(value: number): string {
	return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}
