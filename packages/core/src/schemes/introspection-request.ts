/**
 * One RFC 7662 introspection call: `POST token=...&token_type_hint=access_token` as a form, the client
 * authenticated by HTTP Basic or in the body (RFC 6749 §2.3.1), with a deadline that covers the body,
 * no redirects, and a 64 KiB cap enforced while streaming. Anything but a 200 whose body is a JSON
 * object with a boolean `active` is a `FetchError` (the 503, never a 401).
 */
import type { ResolvedIntrospection } from "../config/introspection.js";
import { FetchError } from "../keys/fetch-error.js";
import { readCapped } from "../keys/fetch-json.js";
import { MAX_JSON_DEPTH, parseObject } from "../token/json.js";

/** The largest introspection answer read: 64 KiB. */
export const MAX_INTROSPECTION_BYTES = 64 * 1024;

/** A value as `application/x-www-form-urlencoded` writes it (RFC 6749 Appendix B). */
function formEncode(value: string): string {
	return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * The `Authorization: Basic` value of a client (RFC 6749 §2.3.1): its ID and secret, each
 * form-encoded first, joined by `:`, in base64.
 *
 * @example
 * ```ts
 * basicAuthorization('my app', 's3cr:t') // 'Basic bXkrYXBwOnMzY3IlM0F0'
 * ```
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
	return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64")}`;
}

/** The request's body and headers, for the settings' client authentication. */
function requestOf(
	token: string,
	settings: ResolvedIntrospection,
): { body: string; headers: Record<string, string> } {
	const form = new URLSearchParams({ token, token_type_hint: "access_token" });
	const headers: Record<string, string> = {
		"content-type": "application/x-www-form-urlencoded",
		accept: "application/json",
	};
	if (settings.auth === "client_secret_post") {
		form.set("client_id", settings.clientId);
		form.set("client_secret", settings.clientSecret);
	} else {
		headers.authorization = basicAuthorization(settings.clientId, settings.clientSecret);
	}
	return { body: form.toString(), headers };
}

/**
 * Introspects `token` at `endpoint`: the answer, a JSON object whose `active` is a boolean. Throws a
 * `FetchError` (`ECONNREFUSED`, `TIMEOUT`, `HTTP_STATUS`, `REDIRECT`, `TOO_LARGE`, `NOT_JSON`,
 * `NOT_INTROSPECTION`, ...) when there is no such answer. The message names the endpoint, never the token.
 *
 * @example
 * ```ts
 * const answer = await introspectToken(endpoint, token, settings, fetch) // { active: true, scope: 'read', ... }
 * ```
 */
export async function introspectToken(
	endpoint: string,
	token: string,
	settings: ResolvedIntrospection,
	fetchImpl: typeof fetch,
): Promise<Record<string, unknown>> {
	const label = `POST ${endpoint}`;
	const signal = AbortSignal.timeout(Math.max(1, Math.round(settings.timeout * 1000)));
	let response: Response;
	try {
		response = await fetchImpl(endpoint, {
			method: "POST",
			signal,
			redirect: "manual",
			...requestOf(token, settings),
		});
	} catch (cause) {
		throw new FetchError(`${label} failed`, { cause });
	}
	if (response.status !== 200) {
		await response.body?.cancel().catch(() => undefined);
		throw new FetchError(`${label} answered ${response.status}`, { status: response.status });
	}
	const declared = Number(response.headers.get("content-length"));
	if (declared > MAX_INTROSPECTION_BYTES) {
		await response.body?.cancel().catch(() => undefined);
		throw new FetchError(`${label} declared a body over ${MAX_INTROSPECTION_BYTES} bytes`, {
			code: "TOO_LARGE",
		});
	}
	const text = await readCapped(response, label, MAX_INTROSPECTION_BYTES);
	const answer = parseObject(text);
	if (answer === undefined) {
		if (!isJson(text)) throw new FetchError(`${label} did not answer JSON`, { code: "NOT_JSON" });
		throw new FetchError(
			`${label} did not answer a JSON object (nested ${MAX_JSON_DEPTH} levels at most, each member once)`,
			{ code: "NOT_INTROSPECTION" },
		);
	}
	if (typeof answer.active !== "boolean") {
		throw new FetchError(`${label} answered without a boolean "active" (RFC 7662 §2.2)`, {
			code: "NOT_INTROSPECTION",
		});
	}
	return answer;
}

function isJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}
