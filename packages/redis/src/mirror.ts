import type { AuthResult } from "@bearerguard/core";

/** What a revocation check reads of an `auth`: its claims. */
export type ClaimsOf = Pick<AuthResult, "claims">;

import { ExpiringMap } from "./expiring-map.js";

/** The three kinds of revocation: one token by `jti`, a subject's or a client's tokens issued before a time. */
export type RevocationKind = "token" | "subject" | "client";

/** One revocation as Redis stores it and pub/sub carries it. */
export interface Revocation {
	readonly kind: RevocationKind;
	/** The `jti`, `sub` or client ID. */
	readonly id: string;
	/**
	 * Milliseconds since the epoch. For a token: when its entry may go (`exp` plus the clock tolerance;
	 * `Infinity` for a token without `exp`). For a cut-off: `before`.
	 */
	readonly time: number;
}

/** How many revocations the mirror holds, by kind. */
export interface MirrorCounts {
	readonly tokens: number;
	readonly subjects: number;
	readonly clients: number;
}

/**
 * This instance's copy of the fleet's revocations: three maps read synchronously by `check`, bounded
 * by `maxEntries`. A revocation that does not fit is not stored and makes the mirror `incomplete`
 * (the caller must then fail closed, and reload once there is room): it is never silently forgotten.
 */
export class Mirror {
	readonly tokens: ExpiringMap;
	readonly subjects: ExpiringMap;
	readonly clients: ExpiringMap;
	/** How many revocations did not fit, ever: a reload compares it before and after. */
	overflows = 0;
	readonly #maxEntries: number;
	#incomplete = false;

	constructor(options: { maxEntries: number; maxTokenLifetimeMs: number }, nowMs: number) {
		this.#maxEntries = options.maxEntries;
		// A token's time is already its expiry; a cut-off lives maxTokenLifetime past its `before`.
		this.tokens = new ExpiringMap(0, nowMs);
		this.subjects = new ExpiringMap(options.maxTokenLifetimeMs, nowMs);
		this.clients = new ExpiringMap(options.maxTokenLifetimeMs, nowMs);
	}

	get size(): number {
		return this.tokens.size + this.subjects.size + this.clients.size;
	}

	/** Whether a revocation did not fit since the last {@link Mirror.markComplete}. */
	get incomplete(): boolean {
		return this.#incomplete;
	}

	/** Whether there is room again for a reload to make the mirror complete. */
	get hasRoom(): boolean {
		return this.size < this.#maxEntries;
	}

	counts(): MirrorCounts {
		return { tokens: this.tokens.size, subjects: this.subjects.size, clients: this.clients.size };
	}

	/** Records a revocation (the later time wins); one that has expired already is ignored. */
	apply(revocation: Revocation, nowMs: number): void {
		const map = this.#map(revocation.kind);
		if (map.expired(revocation.time, nowMs)) return;
		if (!map.times.has(revocation.id) && this.size >= this.#maxEntries) {
			this.#incomplete = true;
			this.overflows++;
			return;
		}
		map.set(revocation.id, revocation.time);
	}

	/** Before a full reload is applied: whatever does not fit of it marks the mirror incomplete again. */
	markComplete(): void {
		this.#incomplete = false;
	}

	/** A revocation was refused while a reload was in flight: the reload cannot make the mirror complete. */
	markIncomplete(): void {
		this.#incomplete = true;
	}

	/** Drops expired entries. Returns how many went. */
	sweep(nowMs: number): number {
		return this.tokens.sweep(nowMs) + this.subjects.sweep(nowMs) + this.clients.sweep(nowMs);
	}

	clear(): void {
		this.tokens.clear();
		this.subjects.clear();
		this.clients.clear();
	}

	#map(kind: RevocationKind): ExpiringMap {
		return kind === "token" ? this.tokens : kind === "subject" ? this.subjects : this.clients;
	}
}

/**
 * Whether a token is revoked by what `mirror` holds: its `jti` is listed, or its subject or client has
 * a cut-off and the token's `iat` is before it (a token without `iat` cannot show it is newer, so a
 * cut-off covers it). No allocation: a `Map` lookup per kind that holds anything.
 */
export function isRevokedBy(mirror: Mirror, auth: ClaimsOf): boolean {
	const claims = auth.claims;
	const tokens = mirror.tokens.times;
	if (tokens.size !== 0) {
		const jti = claims.jti;
		if (typeof jti === "string" && tokens.has(jti)) return true;
	}
	const subjects = mirror.subjects.times;
	if (subjects.size !== 0) {
		const sub = claims.sub;
		if (typeof sub === "string") {
			const before = subjects.get(sub);
			if (before !== undefined && issuedBefore(claims.iat, before)) return true;
		}
	}
	const clients = mirror.clients.times;
	if (clients.size !== 0) {
		const clientId = typeof claims.client_id === "string" ? claims.client_id : claims.azp;
		if (typeof clientId === "string") {
			const before = clients.get(clientId);
			if (before !== undefined && issuedBefore(claims.iat, before)) return true;
		}
	}
	return false;
}

/** `iat` is whole seconds: a token issued in the second of the cut-off counts as issued before it. */
function issuedBefore(iat: unknown, beforeMs: number): boolean {
	return typeof iat !== "number" || !(iat * 1000 >= beforeMs);
}
