/**
 * One GET as bearerguard would make it (no redirects followed, a deadline, a 1 MiB cap), keeping what
 * the middleware does not show: the status, the redirect's target, the headers, the size and the time.
 */
import { FetchError } from "@bearerguard/core";

/** Bodies over this are refused by bearerguard (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What one GET found. */
export interface Probe {
	readonly url: string;
	/** The HTTP status, or `undefined` when no answer came. */
	readonly status: number | undefined;
	readonly headers: Headers | undefined;
	/** Bytes of body read (at most one over the cap). */
	readonly bytes: number;
	/** The body went over 1 MiB (reading stopped there). */
	readonly tooLarge: boolean;
	/** The body as text, when it was read whole. */
	readonly text: string | undefined;
	/** Milliseconds, body included. */
	readonly ms: number;
	/** Why no answer came (network code, `TIMEOUT`). */
	readonly failure: FetchError | undefined;
}

/** GETs `url` without following redirects, within `timeoutSeconds`, reading at most 1 MiB + 1 byte. */
export async function probe(url: string, timeoutSeconds: number): Promise<Probe> {
	const started = performance.now();
	const signal = AbortSignal.timeout(Math.max(1, Math.round(timeoutSeconds * 1000)));
	const done = (fields: Partial<Probe>): Probe => ({
		url,
		status: undefined,
		headers: undefined,
		bytes: 0,
		tooLarge: false,
		text: undefined,
		failure: undefined,
		...fields,
		ms: performance.now() - started,
	});
	let response: Response;
	try {
		response = await fetch(url, { signal, redirect: "manual", headers: { accept: "application/json" } });
	} catch (cause) {
		return done({ failure: new FetchError(`GET ${url} failed`, { cause }) });
	}
	const base = { status: response.status, headers: response.headers };
	const chunks: Uint8Array[] = [];
	let bytes = 0;
	try {
		const reader = response.body?.getReader();
		for (;;) {
			const chunk = await reader?.read();
			if (chunk === undefined || chunk.done) break;
			bytes += chunk.value.byteLength;
			chunks.push(chunk.value);
			if (bytes > MAX_BODY_BYTES) {
				await reader?.cancel().catch(() => undefined);
				return done({ ...base, bytes, tooLarge: true });
			}
		}
	} catch (cause) {
		return done({
			...base,
			bytes,
			failure: new FetchError(`GET ${url} failed while reading the body`, { cause }),
		});
	}
	return done({ ...base, bytes, text: Buffer.concat(chunks).toString("utf8") });
}

/** A byte count as `812 B`, `4.2 KiB`, `1.1 MiB`. */
export function size(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
