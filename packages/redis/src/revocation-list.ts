import type { AuthResult } from "@bearerguard/core";
import { driverFor, type RedisClientLike } from "./driver.js";
import { MirrorFeed } from "./feed.js";
import { MAX_ID_LENGTH } from "./messages.js";
import { isRevokedBy, Mirror, type MirrorCounts, type Revocation } from "./mirror.js";
import { type ResolvedListOptions, type RevocationListOptions, resolveListOptions } from "./options.js";
import { RevocationStore, storeNames } from "./store.js";

/**
 * What {@link RevocationList.revoke} needs of a token: its `jti` and `exp`, so `auth.claims` fits as is.
 * A token without `jti` cannot be revoked alone (the promise rejects): revoke its subject instead.
 */
export interface TokenToRevoke {
	/** The token's `jti`. Required at run time. */
	readonly jti?: string;
	/**
	 * The token's `exp`, Unix time in seconds: the revocation is kept until then plus `clockTolerance`.
	 * Leave it out for a token without `exp`: the revocation is then kept for good.
	 */
	readonly exp?: number;
}

/** The cut-off of {@link RevocationList.revokeSubject} and {@link RevocationList.revokeClient}. */
export interface CutOff {
	/** Tokens issued before this time (by `iat`, in whole seconds) are revoked; later ones are not. */
	readonly before: Date;
}

/** Where the mirror stands, for a health endpoint or a log line. */
export interface RevocationListStatus {
	/**
	 * `current`: heard from Redis within `maxStaleness`; `stale`: not; `incomplete`: more live
	 * revocations than `maxEntries`; `closed`: `close()` was called.
	 */
	readonly state: "current" | "stale" | "incomplete" | "closed";
	/** Whether `isRevoked` answers (`true`) or throws, i.e. answers 503 (`false`). */
	readonly answering: boolean;
	/** When the mirror was last known to hold every revocation Redis had; `undefined` once closed. */
	readonly lastCurrentAt: Date | undefined;
	/** Revocations held, by kind. */
	readonly entries: MirrorCounts;
	readonly maxEntries: number;
	/** Full reloads from Redis so far (1 after start; one more per reconnection or lost message). */
	readonly reloads: number;
	/** The message of the last Redis error seen, if any. */
	readonly lastError: string | undefined;
}

/**
 * A revocation list shared by a fleet through Redis. `isRevoked` reads the local mirror only, so the
 * check costs no network round trip; the `revoke*` methods write to Redis, which tells every instance.
 */
export interface RevocationList {
	/**
	 * The verifier's `isRevoked`, bound: `requireAuth({ isRevoked: list.isRevoked })`. Synchronous and
	 * allocation-free. Throws a {@link RevocationUnavailableError} (the 503) while the mirror cannot vouch
	 * for its answer, unless `failOpen`.
	 */
	readonly isRevoked: (auth: AuthResult) => boolean;
	/** Revokes one token by `jti` until its `exp`; resolves once Redis holds it. `auth.claims` fits as is. */
	revoke(token: TokenToRevoke): Promise<void>;
	/** Revokes every token of subject `sub` issued before `before`; resolves once Redis holds it. */
	revokeSubject(sub: string, cutOff: CutOff): Promise<void>;
	/** Revokes every token of a client (`client_id`, else `azp`) issued before `before`. */
	revokeClient(clientId: string, cutOff: CutOff): Promise<void>;
	status(): RevocationListStatus;
	/** Stops the subscription and timers; `isRevoked` then throws. The client you passed stays open. */
	close(): Promise<void>;
}

function fail(message: string): never {
	throw new TypeError(`@bearerguard/redis: ${message}`);
}

function checkId(value: unknown, what: string): string {
	if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
		fail(`${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
	}
	return value;
}

function tokenRevocation(token: TokenToRevoke, options: ResolvedListOptions): Revocation {
	if (typeof token !== "object" || token === null) fail("revoke() needs { jti, exp }, such as auth.claims.");
	const id = checkId(token.jti, "revoke(): jti (a token without one can be revoked through its subject)");
	const exp = token.exp;
	if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp) || exp < 0)) {
		fail("revoke(): exp must be the token's exp, Unix time in seconds, or left out for a token without one.");
	}
	const time = exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000 + options.clockToleranceMs;
	return { kind: "token", id, time };
}

function cutOffRevocation(kind: "subject" | "client", id: unknown, cutOff: CutOff): Revocation {
	const method = kind === "subject" ? "revokeSubject()" : "revokeClient()";
	const checked = checkId(id, `${method}: the ${kind === "subject" ? "subject" : "client ID"}`);
	const before = (cutOff as CutOff | undefined)?.before;
	if (!(before instanceof Date) || Number.isNaN(before.getTime())) {
		fail(`${method} needs { before: Date }: tokens issued before it are revoked.`);
	}
	return { kind, id: checked, time: before.getTime() };
}

/**
 * Creates a revocation list on Redis and resolves once its mirror is loaded. Every instance of a
 * fleet makes its own, with the same options; a revocation made on one reaches every connected
 * instance through pub/sub, typically within milliseconds.
 *
 * @param client - A connected `redis` (or `ioredis`) client; it stays yours to close.
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createRevocationList } from '@bearerguard/redis'
 * import { requireAuth } from '@bearerguard/express'
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect()
 * const revocations = await createRevocationList(client, { maxStaleness: '30s' })
 * app.use(requireAuth({ issuer, audience, isRevoked: revocations.isRevoked }))
 * app.post('/v1/logout', async (req, res) => {
 *   await revocations.revoke(req.auth!.claims)
 *   res.sendStatus(204)
 * })
 * ```
 */
export async function createRevocationList(
	client: RedisClientLike,
	options?: RevocationListOptions,
): Promise<RevocationList> {
	const resolved = resolveListOptions(options);
	const driver = driverFor(client, "createRevocationList");
	const mirror = new Mirror(resolved, Date.now());
	const store = new RevocationStore(driver, storeNames(resolved.prefix), resolved.maxTokenLifetimeMs);
	const feed = new MirrorFeed(mirror, store, driver, resolved);
	await feed.start();

	const write = async (revocation: Revocation) => {
		await store.write(revocation, Date.now());
		feed.applyLocal(revocation);
	};

	return {
		isRevoked: (auth: AuthResult): boolean => {
			const blocked = feed.blocked;
			if (blocked !== undefined) throw blocked;
			return isRevokedBy(mirror, auth);
		},
		revoke: async (token) => write(tokenRevocation(token, resolved)),
		revokeSubject: async (sub, cutOff) => write(cutOffRevocation("subject", sub, cutOff)),
		revokeClient: async (clientId, cutOff) => write(cutOffRevocation("client", clientId, cutOff)),
		status: () => ({
			state: feed.state,
			answering: feed.blocked === undefined,
			lastCurrentAt: feed.closed || feed.lastCurrentAt === 0 ? undefined : new Date(feed.lastCurrentAt),
			entries: mirror.counts(),
			maxEntries: resolved.maxEntries,
			reloads: feed.reloads,
			lastError: feed.lastError,
		}),
		close: () => feed.close(),
	};
}
