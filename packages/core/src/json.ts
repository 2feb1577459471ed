/**
 * Strict JSON helpers for token segments: objects only, and duplicate member names refused
 * (RFC 7515 §5.2 allows either refusing or taking the last; refusing closes parser-differential attacks).
 */

/** Decodes a base64url segment already checked against the base64url alphabet. */
export function decodeSegment(segment: string): string {
	return Buffer.from(segment, "base64url").toString("utf8");
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

/**
 * Scans valid JSON text for an object that names a member twice. Runs only on texts that `JSON.parse`
 * accepted, so it needs to track just strings, nesting and member names.
 */
export function hasDuplicateKeys(text: string): boolean {
	const stack: Array<Set<string> | undefined> = [];
	let expectKey = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22 /* " */) {
			let j = i + 1;
			let escaped = false;
			while (j < text.length) {
				const d = text.charCodeAt(j);
				if (d === 0x5c /* \ */) {
					escaped = true;
					j += 2;
					continue;
				}
				if (d === 0x22) break;
				j++;
			}
			if (expectKey) {
				const raw = text.slice(i + 1, j);
				const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
				const keys = stack[stack.length - 1] as Set<string>;
				if (keys.has(key)) return true;
				keys.add(key);
				expectKey = false;
			}
			i = j;
		} else if (c === 0x7b /* { */) {
			stack.push(new Set());
			expectKey = true;
		} else if (c === 0x5b /* [ */) {
			stack.push(undefined);
		} else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
			stack.pop();
		} else if (c === 0x2c /* , */) {
			expectKey = stack[stack.length - 1] !== undefined;
		}
	}
	return false;
}
