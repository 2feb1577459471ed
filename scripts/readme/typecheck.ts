/**
 * Type-checks Markdown code blocks as the files of a user's project: each block becomes a virtual
 * module under `test/readme/.blocks/` (the workspace's test package depends on every package and
 * framework the manuals name), compiled with the options of `tsconfig.base.json`, strict, except that
 * `@bearerguard/*` resolve to their built `dist` types, as they do for a user who installed them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import type { CodeBlock } from "./blocks.js";

/** One compiler error, placed in the Markdown file. */
export interface BlockError {
	readonly block: CodeBlock;
	/** `file:line` in the Markdown file, or in a prelude when the error is there. */
	readonly where: string;
	/** `TS2304: Cannot find name 'app'.` */
	readonly message: string;
}

/** The outcome for one block. */
export interface BlockResult {
	readonly block: CodeBlock;
	readonly errors: readonly BlockError[];
}

interface VirtualFile {
	readonly fileName: string;
	readonly text: string;
	readonly block: CodeBlock;
	/** Lines of prelude before the block's first line. */
	readonly offset: number;
	readonly preludes: readonly { name: string; lines: number }[];
}

/** Where the virtual files live, relative to the workspace root. */
export const VIRTUAL_ROOT = "test/readme/.blocks";
/** Where `prelude=NAME` files live, relative to the workspace root. */
export const PRELUDE_DIR = "test/readme/preludes";

/** The compiler options of `tsconfig.base.json`, for checking blocks against the built packages. */
export function compilerOptions(root: string): ts.CompilerOptions {
	const configPath = join(root, "tsconfig.base.json");
	const config = ts.readConfigFile(configPath, ts.sys.readFile);
	if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
	const parsed = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root, configPath);
	if (parsed.errors.length > 0)
		throw new Error(ts.flattenDiagnosticMessageText(parsed.errors[0]?.messageText ?? "", "\n"));
	return {
		...parsed.options,
		noEmit: true,
		declaration: false,
		declarationMap: false,
		sourceMap: false,
		// No "source" condition: `@bearerguard/*` resolve through "types" to dist, what a user gets.
		customConditions: [],
	};
}

function virtualName(block: CodeBlock, project: string | undefined): string {
	const slug = block.path.replace(/[^A-Za-z0-9]+/g, "-");
	if (block.directive.file !== undefined) {
		return join(slug, project ?? "default", block.directive.file);
	}
	return join(slug, `line-${block.line}.ts`);
}

function preludeText(root: string, name: string, block: CodeBlock): string {
	const path = join(root, PRELUDE_DIR, `${name}.ts`);
	if (!existsSync(path))
		throw new Error(
			`${block.path}:${block.line}: readme-check: no prelude "${name}" (${relative(root, path)}).`,
		);
	return readFileSync(path, "utf8").replace(/\s*$/, "\n");
}

/** The virtual files of the blocks: one per block, and one per project for shared `file=` blocks. */
function virtualFiles(root: string, blocks: readonly CodeBlock[]): VirtualFile[] {
	const projects = new Set(
		blocks.map((block) => block.directive.project).filter((name) => name !== undefined),
	);
	const files: VirtualFile[] = [];
	for (const block of blocks) {
		let text = "";
		const preludes: { name: string; lines: number }[] = [];
		for (const name of block.directive.preludes) {
			const prelude = preludeText(root, name, block);
			preludes.push({ name, lines: prelude.split("\n").length - 1 });
			text += prelude;
		}
		const offset = text.split("\n").length - 1;
		// `export {}` makes every block a module: its names stay its own, top-level await works.
		text += `${block.code}export {};\n`;
		const owners =
			block.directive.file !== undefined && block.directive.project === undefined && projects.size > 0
				? [...projects]
				: [block.directive.project];
		for (const project of owners) {
			files.push({
				fileName: join(root, VIRTUAL_ROOT, virtualName(block, project)),
				text,
				block,
				offset,
				preludes,
			});
		}
	}
	const seen = new Map<string, CodeBlock>();
	for (const file of files) {
		const other = seen.get(file.fileName);
		if (other && other !== file.block)
			throw new Error(
				`${file.block.path}:${file.block.line}: readme-check: file=${file.block.directive.file} is also the block at line ${other.line}; give one a project=.`,
			);
		seen.set(file.fileName, file.block);
	}
	return files;
}

/** A block declaring module or global augmentations changes the types of every file beside it. */
function isGlobal(file: VirtualFile): boolean {
	return /^\s*declare\s+(module|global)\b/m.test(file.block.code);
}

function place(file: VirtualFile, line: number, root: string): string {
	if (line >= file.offset) return `${file.block.path}:${file.block.line + line - file.offset}`;
	let start = 0;
	for (const prelude of file.preludes) {
		if (line < start + prelude.lines) return `${PRELUDE_DIR}/${prelude.name}.ts:${line - start + 1}`;
		start += prelude.lines;
	}
	return relative(root, file.fileName);
}

/**
 * Type-checks `blocks` (TypeScript blocks not marked `skip`) and returns the errors of each.
 * Blocks that augment a module or the global scope are compiled on their own.
 *
 * @example
 * ```ts
 * const results = typecheckBlocks(process.cwd(), blocks)
 * const failed = results.filter((result) => result.errors.length > 0)
 * ```
 */
export function typecheckBlocks(root: string, blocks: readonly CodeBlock[]): BlockResult[] {
	const options = compilerOptions(root);
	const files = virtualFiles(root, blocks);
	const byName = new Map(files.map((file) => [file.fileName, file]));
	const host = ts.createCompilerHost(options, true);
	const parsed = new Map<string, ts.SourceFile | undefined>();
	const { getSourceFile, fileExists, readFile, directoryExists } = host;
	host.fileExists = (name) => byName.has(name) || fileExists.call(host, name);
	host.readFile = (name) => byName.get(name)?.text ?? readFile.call(host, name);
	host.directoryExists = (name) =>
		[...byName.keys()].some((file) => file.startsWith(`${name}/`)) ||
		(directoryExists?.call(host, name) ?? true);
	host.getSourceFile = (name, language, onError) => {
		const file = byName.get(name);
		if (file) return ts.createSourceFile(name, file.text, language, true);
		if (!parsed.has(name)) parsed.set(name, getSourceFile.call(host, name, language, onError));
		return parsed.get(name);
	};

	const groups: VirtualFile[][] = [];
	const shared = files.filter((file) => !isGlobal(file));
	if (shared.length > 0) groups.push(shared);
	for (const file of files.filter(isGlobal)) groups.push([file]);

	const errors = new Map<CodeBlock, Map<string, BlockError>>(blocks.map((block) => [block, new Map()]));
	let oldProgram: ts.Program | undefined;
	for (const group of groups) {
		const program = ts.createProgram({
			rootNames: group.map((file) => file.fileName),
			options,
			host,
			...(oldProgram ? { oldProgram } : {}),
		});
		oldProgram = program;
		for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
			throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
		}
		for (const file of group) {
			const source = program.getSourceFile(file.fileName);
			if (!source) throw new Error(`readme-check: ${file.fileName} was not compiled.`);
			const diagnostics = [
				...program.getSyntacticDiagnostics(source),
				...program.getSemanticDiagnostics(source),
			];
			for (const diagnostic of diagnostics) {
				const line =
					diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line;
				const where = place(file, line, root);
				const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")}`;
				// A shared `file=` block is compiled once per project: report each error once.
				errors.get(file.block)?.set(`${where} ${message}`, { block: file.block, where, message });
			}
		}
	}
	return blocks.map((block) => ({ block, errors: [...(errors.get(block)?.values() ?? [])] }));
}

/** The workspace root: the nearest folder above `from` with a `pnpm-workspace.yaml`. */
export function workspaceRoot(from: string): string {
	let dir = from;
	while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
		const parent = dirname(dir);
		if (parent === dir) throw new Error(`readme-check: no pnpm-workspace.yaml above ${from}.`);
		dir = parent;
	}
	return dir;
}
