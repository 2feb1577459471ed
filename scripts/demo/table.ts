/** Renders rows as a plain-text table: columns padded to their widest cell, a rule under the head. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
	const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
	const line = (cells: readonly string[]) =>
		cells
			.map((cell, i) => cell.padEnd(widths[i] ?? 0))
			.join("  ")
			.trimEnd();
	return [line(head), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}
