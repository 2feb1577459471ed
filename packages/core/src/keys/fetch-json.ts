import { FetchError } from "./fetch-error.js";

/** The largest discovery document or JWKS we read: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export { FetchError } from "./fetch-error.js";

/**
 * GETs a JSON document with a deadline that covers the body too, no redirects, and a 1 MiB cap enforced
 * while streaming (a huge or endless body is cut off, never buffered whole). `fetchImpl` is the
 * configured `fetch` (an egress proxy's, say); the global one by default.
 */
export async function fetchJson(
	url: string,
	timeoutSeconds: number,
	fetchImpl: typeof fetch = globalThis.fetch,
): Promise<unknown> {
	const signal = AbortSignal.timeout(Math.max(1, Math.round(timeoutSeconds * 1000)));
	let response: Response;
	try {
		response = await fetchImpl(url, {
			signal,
			redirect: "manual",
			headers: { accept: "application/json" },
		});
	} catch (cause) {
		throw new FetchError(`GET ${url} failed`, { cause });
	}
	if (response.status !== 200) {
		await response.body?.cancel().catch(() => undefined);
		throw new FetchError(`GET ${url} answered ${response.status}`, { status: response.status });
	}
	const declared = Number(response.headers.get("content-length"));
	if (declared > MAX_BODY_BYTES) {
		await response.body?.cancel().catch(() => undefined);
		throw new FetchError(`GET ${url} declared a body over ${MAX_BODY_BYTES} bytes`, { code: "TOO_LARGE" });
	}
	const text = await readCapped(response, `GET ${url}`);
	try {
		return JSON.parse(text);
	} catch (cause) {
		throw new FetchError(`GET ${url} did not answer JSON`, { cause, code: "NOT_JSON" });
	}
}

/**
 * Reads a response's body as UTF-8, cancelling it as soon as it passes `limit` bytes (a huge or endless
 * body is cut off, never buffered whole). `label` (`GET <url>`) starts the `FetchError`'s message.
 */
export async function readCapped(response: Response, label: string, limit = MAX_BODY_BYTES): Promise<string> {
	const body = response.body;
	if (body === null) return "";
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				await reader.cancel().catch(() => undefined);
				throw new FetchError(`${label} sent a body over ${limit} bytes`, { code: "TOO_LARGE" });
			}
			chunks.push(value);
		}
	} catch (cause) {
		if (cause instanceof FetchError) throw cause;
		throw new FetchError(`${label} failed while reading the body`, { cause });
	}
	return Buffer.concat(chunks).toString("utf8");
}
