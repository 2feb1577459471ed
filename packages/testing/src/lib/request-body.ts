import type { IncomingMessage } from "node:http";

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A request the endpoint refuses with 400 `invalid_request` and this message. */
export class BadRequest extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
		size += buffer.length;
		if (size > MAX_BODY_BYTES) throw new BadRequest("The request body is too large.");
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Map<string, string> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new BadRequest("The request body is not valid JSON.");
	}
	if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
		throw new BadRequest("The request body must be a JSON object.");
	}
	const entries = Object.entries(parsed).filter(
		(entry): entry is [string, string] => typeof entry[1] === "string",
	);
	return new Map(entries);
}

function mediaType(req: IncomingMessage): string | undefined {
	return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
}

/**
 * Reads a request's parameters from a JSON object (string members only) or a form body, at
 * most {@link MAX_BODY_BYTES}; with `formOnly`, only a form body.
 *
 * @throws BadRequest for another content type, a body too large, or invalid JSON
 * @example
 * ```ts
 * const params = await readParams(req);
 * params.get("grant_type");
 * ```
 */
export async function readParams(req: IncomingMessage, formOnly = false): Promise<Map<string, string>> {
	const type = mediaType(req);
	const text = await readBody(req);
	if (type === "application/x-www-form-urlencoded") return new Map(new URLSearchParams(text));
	if (type === "application/json" && !formOnly) return parseJson(text);
	throw new BadRequest(
		formOnly
			? "Send application/x-www-form-urlencoded."
			: "Send application/json or application/x-www-form-urlencoded.",
	);
}
