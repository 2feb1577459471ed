/** Sentences for a diagnosis: durations, times, and why a token is not a compact JWS. */
import type { KeyObject } from "node:crypto";
import type { Algorithm } from "../types.js";

/** Seconds as `3 s`, `2 min 5 s`, `1 h 2 min`, `3 d 4 h`. */
export function humanDuration(seconds: number): string {
	const s = Math.round(Math.abs(seconds));
	if (s < 60) return `${s} s`;
	if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
	if (s < 86_400)
		return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
	return `${Math.floor(s / 86_400)} d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}

/** A Unix time (seconds) as ISO 8601, or the value as JSON when it is not a finite number. */
export function isoTime(value: unknown): string {
	return typeof value === "number" && Number.isFinite(value) && Math.abs(value) < 8.64e12
		? new Date(value * 1000).toISOString()
		: JSON.stringify(value);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodesToObject(segment: string): "ok" | "not-json" | "not-object" {
	try {
		const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
		return typeof value === "object" && value !== null && !Array.isArray(value) ? "ok" : "not-object";
	} catch {
		return "not-json";
	}
}

/** Why a token is not a compact JWS, as precisely as can be said (for a `token_malformed` check). */
export function describeMalformed(token: string): string {
	const parts = token.split(".");
	if (parts.length === 5) return "five parts: a JWE (an encrypted token), which is never decrypted here";
	if (parts.length !== 3) {
		return `${parts.length} part${parts.length === 1 ? "" : "s"} where a JWS has three (header.payload.signature): the token looks cut short, or it is not a JWT`;
	}
	for (const [index, part] of parts.entries()) {
		const name = ["header", "payload", "signature"][index] as string;
		if (!BASE64URL.test(part)) {
			const at = [...part].findIndex((char) => !/[A-Za-z0-9_-]/.test(char));
			const char = part[at] as string;
			return `the ${name} holds ${JSON.stringify(char)} (at its character ${at + 1}), outside base64url: quotes, spaces, padding "=" or a base64 (not base64url) encoding`;
		}
		if (part === "" && index < 2) return `the ${name} is empty`;
	}
	for (const [index, name] of ["header", "payload"].entries()) {
		const found = decodesToObject(parts[index] as string);
		if (found === "not-json") return `the ${name} is not valid JSON: the token looks cut short or edited`;
		if (found === "not-object") return `the ${name} is JSON but not an object`;
	}
	const header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8")) as {
		alg?: unknown;
	};
	if (typeof header.alg !== "string") return "the header has no alg string";
	const signature = parts[2] as string;
	if (signature.length % 4 === 1 || !canonicalEnd(signature)) {
		return "the signature's length or last character is not a whole base64url encoding: the token looks cut short (copied incompletely?) or edited";
	}
	return "a JSON member name appears twice in the header or payload (refused: parsers would disagree on its value)";
}

/** Whether the last base64url character sets no bit that decoding drops. */
function canonicalEnd(segment: string): boolean {
	const rest = segment.length % 4;
	if (rest === 0 || segment === "") return true;
	const last = Buffer.from(`AAA${segment.slice(-1)}`, "base64url")[2] as number;
	return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/** The signature length, in bytes, that `alg` makes with `key`; `undefined` when it cannot be said. */
export function signatureLength(alg: Algorithm, key: KeyObject | Uint8Array): number | undefined {
	if (alg.startsWith("HS")) return Number(alg.slice(2)) / 8;
	if (alg === "ES256") return 64;
	if (alg === "ES384") return 96;
	if (alg === "ES512") return 132;
	const details = (key as KeyObject).asymmetricKeyDetails;
	if (alg === "EdDSA") return (key as KeyObject).asymmetricKeyType === "ed448" ? 114 : 64;
	return details?.modulusLength === undefined ? undefined : Math.ceil(details.modulusLength / 8);
}
