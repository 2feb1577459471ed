/**
 * Strict JSON helpers for token segments: objects only, and duplicate member names refused
 * (RFC 7515 §5.2 allows either refusing or taking the last; refusing closes parser-differential attacks).
 */
import { scratchBytes } from "./scratch.js";

/** Decodes a base64url segment already checked against the base64url alphabet. */
export function decodeSegment(segment: string): string {
	return scratchBytes(segment, "base64url").toString("utf8");
}

/** Parses a JSON text that must be an object without duplicate member names at any depth. */
export function parseObject(text: string): Record<string, unknown> | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
	if (hasDuplicateKeys(text)) return undefined;
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
 * Scans valid JSON text for an object that names a member twice. Runs only on texts that `JSON.parse`
 * accepted, so it needs to track just strings, nesting and member names; strings are skipped with
 * `indexOf`, so the loop walks only the few characters outside them.
 */
export function hasDuplicateKeys(text: string): boolean {
	const stack: Array<string[] | undefined> = [];
	let keys: string[] | undefined;
	let expectKey = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22 /* " */) {
			const end = stringEnd(text, i);
			if (expectKey && keys !== undefined) {
				const raw = text.slice(i + 1, end);
				const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
				if (keys.includes(key)) return true;
				keys.push(key);
				expectKey = false;
			}
			i = end;
		} else if (c === 0x7b /* { */) {
			stack.push(keys);
			keys = [];
			expectKey = true;
		} else if (c === 0x5b /* [ */) {
			stack.push(keys);
			keys = undefined;
		} else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
			keys = stack.pop();
		} else if (c === 0x2c /* , */) {
			expectKey = keys !== undefined;
		}
	}
	return false;
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
