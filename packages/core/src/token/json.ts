/**
 * Strict JSON helpers for token segments: objects only, and duplicate member names refused
 * (RFC 7515 §5.2 allows either refusing or taking the last; refusing closes parser-differential attacks).
 */
import { scratchBytes } from "./scratch.js";

/** Decodes a base64url segment already checked against the base64url alphabet. */
export function decodeSegment(segment: string): string {
	return scratchBytes(segment, "base64url").toString("utf8");
}

/**
 * The deepest nesting a token's header or payload may have: the object itself is level 1, so an
 * object or array inside 31 others is the deepest allowed. Real tokens nest 3 or 4 levels (Keycloak's
 * `resource_access.<client>.roles`); a deeper one is refused before anything walks it recursively.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Parses a JSON text that must be an object, nested at most {@link MAX_JSON_DEPTH} levels, without
 * duplicate member names at any depth.
 */
export function parseObject(text: string): Record<string, unknown> | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
	if (!isShallowWithoutDuplicates(text, value)) return undefined;
	return value as Record<string, unknown>;
}

/** The end (index of the closing quote) of the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
	let end = text.indexOf('"', start + 1);
	// A quote preceded by an odd number of backslashes is escaped: keep looking.
	for (;;) {
		let backslashes = 0;
		while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
		if (backslashes % 2 === 0) return end;
		end = text.indexOf('"', end + 1);
	}
}

/**
 * Whether valid JSON `text` names a member twice in one object, given `value`, what `JSON.parse` made
 * of it. The parse keeps one member per name, so the text names more members than the value holds
 * exactly when some object repeats a name. In valid JSON every colon outside a string follows exactly
 * one member name, so counting the text's members needs no name to be copied or compared.
 */
export function hasDuplicateKeys(text: string, value: unknown): boolean {
	return !isShallowWithoutDuplicates(text, value, Number.POSITIVE_INFINITY);
}

/**
 * One scan of valid JSON `text` (outside strings) that counts its members and its nesting: `false` as
 * soon as it nests deeper than `maxDepth`, or when it names more members than `value` (what
 * `JSON.parse` made of it) holds, i.e. when some object repeats a name. Nothing recursive runs
 * before the depth is known.
 */
function isShallowWithoutDuplicates(text: string, value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
	let written = 0;
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22 /* " */) i = stringEnd(text, i);
		else if (c === 0x3a /* : */) written++;
		else {
			// Setting bit 0x20 folds `[` onto `{` and `]` onto `}`: one comparison for each pair.
			const folded = c | 0x20;
			if (folded === 0x7b /* { [ */) {
				if (++depth > maxDepth) return false;
			} else if (folded === 0x7d /* } ] */) depth--;
		}
	}
	return written <= countMembers(value);
}

/**
 * Members of every object in a parsed JSON value. Iterative: the text has not been verified yet, and
 * its nesting may be deeper than the call stack.
 */
function countMembers(value: unknown): number {
	let count = 0;
	const pending: unknown[] = [value];
	while (pending.length > 0) {
		const item = pending.pop() as object;
		if (Array.isArray(item)) {
			for (const element of item) if (typeof element === "object" && element !== null) pending.push(element);
			continue;
		}
		for (const key in item) {
			count++;
			const member = (item as Record<string, unknown>)[key];
			if (typeof member === "object" && member !== null) pending.push(member);
		}
	}
	return count;
}

/** Freezes a parsed JSON value and everything in it, so a cached token's claims cannot be changed. */
export function deepFreeze<T>(value: T): T {
	if (typeof value === "object" && value !== null) freezeTree(value);
	return value;
}

function freezeTree(value: object): void {
	Object.freeze(value);
	// Only objects and arrays need a visit: primitives are skipped without a call or an allocation.
	if (Array.isArray(value)) {
		for (const item of value) if (typeof item === "object" && item !== null) freezeTree(item);
		return;
	}
	for (const key in value) {
		const item = (value as Record<string, unknown>)[key];
		if (typeof item === "object" && item !== null) freezeTree(item);
	}
}
