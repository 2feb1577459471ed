/**
 * Finds the fenced code blocks of a Markdown file, with their line numbers, the headings they sit
 * under, and the `<!-- readme-check: ... -->` directive written just before them.
 *
 * A directive is one HTML comment on the last non-blank line before the opening fence:
 *
 * - `prelude=NAME[,NAME]`: compile the block after `test/readme/preludes/NAME.ts` (names the block uses
 *   but does not define: `app`, `issuer`, a handler).
 * - `file=PATH`: the block is the file `PATH` of a small project (e.g. `src/app.ts`), so other blocks
 *   can import it (`../src/app.js`). `project=NAME` puts it in the project `NAME` only; a `file=` block
 *   without `project=` belongs to every project.
 * - `skip (reason)`: not compiled (shell-like pseudo code); the reason is required.
 * - `fails (reason)`: expected not to compile until the reason is fixed; the check fails once it compiles.
 */

/** What a `<!-- readme-check: ... -->` comment asks for. */
export interface Directive {
	/** Prelude names, in order. */
	readonly preludes: readonly string[];
	/** The block's path in its project, for `file=`. */
	readonly file: string | undefined;
	/** The project of a `file=` block; `undefined` for a block shared by every project. */
	readonly project: string | undefined;
	/** Why the block is not compiled, for `skip`. */
	readonly skip: string | undefined;
	/** Why the block is expected not to compile yet, for `fails`. */
	readonly fails: string | undefined;
}

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
	/** The Markdown file, relative to the workspace root (e.g. `README.md`). */
	readonly path: string;
	/** The fence's info string's first word, lower case (`ts`, `sh`, ...); `''` for none. */
	readonly lang: string;
	/** 1-based line number of the block's first line of code in the Markdown file. */
	readonly line: number;
	/** The code, without the fences, ending in a newline. */
	readonly code: string;
	/** The headings the block is under, outermost first (without the `#`s). */
	readonly headings: readonly string[];
	readonly directive: Directive;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const DIRECTIVE = /^\s*<!--\s*readme-check:\s*(.*?)\s*-->\s*$/;

const NO_DIRECTIVE: Directive = {
	preludes: [],
	file: undefined,
	project: undefined,
	skip: undefined,
	fails: undefined,
};

/**
 * Parses the text after `readme-check:`; throws an `Error` naming the Markdown line for anything it
 * does not know.
 *
 * @example
 * ```ts
 * parseDirective("prelude=express fails (BearerError is type-only)", "README.md:12")
 * ```
 */
export function parseDirective(text: string, where: string): Directive {
	let words = text;
	let reason: string | undefined;
	const open = text.indexOf("(");
	if (open !== -1) {
		const close = text.lastIndexOf(")");
		if (close < open) throw new Error(`${where}: readme-check: unclosed "(" in "${text}".`);
		reason = text.slice(open + 1, close).trim();
		words = `${text.slice(0, open)} ${text.slice(close + 1)}`;
	}
	let preludes: string[] = [];
	let file: string | undefined;
	let project: string | undefined;
	let skip = false;
	let fails = false;
	for (const word of words.split(/\s+/).filter(Boolean)) {
		const [key, value] = word.split("=", 2);
		if (key === "skip" && value === undefined) skip = true;
		else if (key === "fails" && value === undefined) fails = true;
		else if (key === "prelude" && value) preludes = value.split(",").filter(Boolean);
		else if (key === "file" && value) file = value;
		else if (key === "project" && value) project = value;
		else
			throw new Error(
				`${where}: readme-check: unknown "${word}" (known: prelude=NAME, file=PATH, project=NAME, skip (reason), fails (reason)).`,
			);
	}
	if ((skip || fails) && !reason)
		throw new Error(`${where}: readme-check: "${skip ? "skip" : "fails"}" needs a reason in parentheses.`);
	if (reason !== undefined && !skip && !fails)
		throw new Error(`${where}: readme-check: a reason is only for "skip" or "fails".`);
	if (project !== undefined && file === undefined)
		throw new Error(`${where}: readme-check: "project=" goes with "file=".`);
	return {
		preludes,
		file,
		project,
		skip: skip ? reason : undefined,
		fails: fails ? reason : undefined,
	};
}

/**
 * Every fenced code block of `markdown`, in order.
 *
 * @example
 * ```ts
 * const blocks = extractBlocks(readFileSync("README.md", "utf8"), "README.md").filter((b) => b.lang === "ts")
 * ```
 */
export function extractBlocks(markdown: string, path: string): CodeBlock[] {
	const lines = markdown.split(/\r?\n/);
	const blocks: CodeBlock[] = [];
	const headings: string[] = [];
	let lastNonBlank = "";
	let lastNonBlankLine = 0;
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index] ?? "";
		const heading = HEADING.exec(line);
		if (heading) {
			const level = heading[1]?.length ?? 1;
			headings.length = level - 1;
			headings[level - 1] = heading[2] ?? "";
		}
		const fence = FENCE.exec(line);
		if (!fence) {
			if (line.trim() !== "") {
				lastNonBlank = line;
				lastNonBlankLine = index + 1;
			}
			continue;
		}
		const marker = fence[1] ?? "```";
		const comment = DIRECTIVE.exec(lastNonBlank);
		const directive = comment
			? parseDirective(comment[1] ?? "", `${path}:${lastNonBlankLine}`)
			: NO_DIRECTIVE;
		const start = index + 1;
		let end = start;
		while (end < lines.length && !(lines[end] ?? "").trimStart().startsWith(marker)) end++;
		if (end >= lines.length) throw new Error(`${path}:${index + 1}: code block is never closed.`);
		blocks.push({
			path,
			lang: (fence[2] ?? "").toLowerCase(),
			line: start + 1,
			code: `${lines.slice(start, end).join("\n")}\n`,
			headings: headings.filter((item) => item !== undefined),
			directive,
		});
		index = end;
		lastNonBlank = "";
	}
	return blocks;
}

/** Whether a block is TypeScript (```ts or ```typescript). */
export function isTypeScript(block: CodeBlock): boolean {
	return block.lang === "ts" || block.lang === "typescript";
}
