/**
 * What the CLI prints: lines for a terminal (colour only when stdout is a TTY and `NO_COLOR` is unset
 * or empty), or one JSON document with `--json`.
 */

/** Where output goes, and the environment that decides colour. */
export interface Io {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream;
	readonly stdin: NodeJS.ReadableStream;
	readonly env: NodeJS.ProcessEnv;
}

/** The result of a check as printed: `warn` is a pass with a remark (a failure with `--strict`). */
export type Status = "pass" | "fail" | "warn" | "skip";

/** One printed check line, with its reason and fix when it failed. */
export interface Line {
	readonly status: Status;
	readonly name: string;
	readonly detail: string;
	readonly reason?: string | undefined;
	readonly fix?: string | undefined;
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Colour = keyof typeof CODES;

/** Whether to colour: a TTY, and no `NO_COLOR` (https://no-color.org: present and not empty). */
export function colourFor(io: Io): boolean {
	const noColour = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
	return io.stdout.isTTY === true && !noColour;
}

/** A painter: ANSI colours when `enabled`, the text unchanged otherwise. */
export function painter(enabled: boolean): (colour: Colour, text: string) => string {
	return (colour, text) => (enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

const MARK: Readonly<Record<Status, [string, Colour]>> = {
	pass: ["PASS", "green"],
	fail: ["FAIL", "red"],
	warn: ["WARN", "yellow"],
	skip: ["SKIP", "dim"],
};

/** Formats check lines as an aligned list, the reason and the fix under a failure. */
export function formatLines(lines: readonly Line[], colour: boolean): string {
	const paint = painter(colour);
	const width = Math.max(8, ...lines.map((line) => line.name.length)) + 2;
	const indent = " ".repeat(8 + width);
	const out: string[] = [];
	for (const line of lines) {
		const [word, tint] = MARK[line.status];
		const detail = line.status === "skip" ? paint("dim", line.detail) : line.detail;
		out.push(`  ${paint(tint, word)}  ${line.name.padEnd(width)}${detail}`);
		if (line.reason !== undefined) out.push(`${indent}${paint("dim", "reason")}  ${line.reason}`);
		if (line.fix !== undefined) out.push(`${indent}${paint("dim", "fix")}     ${line.fix}`);
	}
	return out.join("\n");
}

/** Writes a JSON document, pretty-printed, and a newline. */
export function writeJson(io: Io, value: unknown): void {
	io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reads all of stdin as UTF-8 (for `inspect -`). */
export async function readStdin(io: Io): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of io.stdin)
		chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
	return Buffer.concat(chunks).toString("utf8");
}
