import type { Revocation, RevocationKind } from "./mirror.js";

/**
 * The pub/sub message that carries one revocation, so that every mirror applies it without a round
 * trip: a letter for the kind, the time in milliseconds (`inf` for never), `|`, then the ID as is
 * (it may hold `|` itself). `t1767225600000|4f1c…` is token `4f1c…`, kept until that time.
 */
const LETTERS: Readonly<Record<RevocationKind, string>> = { token: "t", subject: "s", client: "c" };
const KINDS: Readonly<Record<string, RevocationKind>> = { t: "token", s: "subject", c: "client" };

/** The longest ID accepted, in characters (a `jti` or `sub` is far shorter; tokens are at most 8 KiB). */
export const MAX_ID_LENGTH = 8192;

/** A time as Redis and the messages spell it: whole milliseconds, or `inf`. */
export function formatTime(time: number): string {
	return Number.isFinite(time) ? String(Math.ceil(time)) : "inf";
}

/** Reads a time as Redis returns a score (`inf`, `+inf`, digits); `undefined` when it is none. */
export function parseTime(text: string): number | undefined {
	if (text === "inf" || text === "+inf" || text === "Infinity") return Number.POSITIVE_INFINITY;
	const time = Number(text);
	return text.length > 0 && Number.isFinite(time) && time >= 0 ? time : undefined;
}

export function encodeRevocation(revocation: Revocation): string {
	return `${LETTERS[revocation.kind]}${formatTime(revocation.time)}|${revocation.id}`;
}

/**
 * Reads a message off the channel; `undefined` for anything that is not one (anyone who can publish
 * to the channel can send garbage: it is ignored, never trusted into a crash).
 */
export function decodeRevocation(message: string): Revocation | undefined {
	if (typeof message !== "string") return undefined;
	const kind = KINDS[message.charAt(0)];
	const bar = message.indexOf("|");
	if (kind === undefined || bar < 2) return undefined;
	const time = parseTime(message.slice(1, bar));
	const id = message.slice(bar + 1);
	if (time === undefined || id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
	return { kind, id, time };
}
