import type { ServerResponse } from "node:http";
import { sendRaw } from "./send-json.js";

/** How a replaced document is answered (see `setJwks` and `setIntrospection`). */
export interface ResponseOverride {
	readonly body: string;
	readonly status: number;
	/** Milliseconds; `Infinity` never answers. */
	readonly delay: number;
	readonly headers: Readonly<Record<string, string>>;
}

/** The options both `setJwks` and `setIntrospection` take. */
export interface ResponseOverrideOptions {
	status?: number;
	delay?: number;
	headers?: Record<string, string>;
}

/** The longest delay a timer can wait; a longer one never answers. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks and normalises a replacement answer: status 100-599, a delay of 0 ms or more
 * (`Infinity` allowed), header names lower-cased, a string body kept verbatim and anything
 * else serialised as JSON.
 *
 * @param what - names the document in the error message, e.g. `'JWKS'`
 * @throws TypeError for a bad status, delay or body
 * @example
 * ```ts
 * toOverride({ error: "boom" }, { status: 500 }, "JWKS");
 * ```
 */
export function toOverride(
	body: unknown,
	options: ResponseOverrideOptions = {},
	what = "JWKS",
): ResponseOverride {
	const { status = 200, delay = 0, headers = {} } = options;
	if (!Number.isInteger(status) || status < 100 || status > 599) {
		throw new TypeError("status must be an HTTP status code from 100 to 599.");
	}
	if (typeof delay !== "number" || Number.isNaN(delay) || delay < 0) {
		throw new TypeError("delay must be a non-negative number of ms (Infinity never answers).");
	}
	const text = typeof body === "string" ? body : JSON.stringify(body);
	if (text === undefined) throw new TypeError(`The ${what} body must be a string or JSON-serializable.`);
	const lowerCased = Object.fromEntries(
		Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
	);
	return { body: text, status, delay, headers: lowerCased };
}

/** Sends replacement answers after their delay, and cancels the delayed ones on close. */
export interface OverrideSender {
	send(res: ServerResponse, override: ResponseOverride, defaults: Readonly<Record<string, string>>): void;
	cancelPending(): void;
}

/**
 * Creates the sender of replacement answers; an answer delayed past the timer limit (or by
 * `Infinity`) is never sent, and the connection stays open until the server closes.
 *
 * @example
 * ```ts
 * const sender = createOverrideSender();
 * sender.send(res, override, { "content-type": "application/json" });
 * ```
 */
export function createOverrideSender(): OverrideSender {
	const pending = new Set<ReturnType<typeof setTimeout>>();
	return {
		send(res, override, defaults) {
			const { body, status, delay, headers } = override;
			const send = (): void => sendRaw(res, status, body, { ...defaults, ...headers });
			if (delay === 0) return send();
			if (delay > MAX_TIMER_MS) return;
			const timer = setTimeout(() => {
				pending.delete(timer);
				send();
			}, delay);
			pending.add(timer);
		},
		cancelPending() {
			for (const timer of pending) clearTimeout(timer);
			pending.clear();
		},
	};
}
