import { randomUUID } from "node:crypto";
import type { Driver, Subscription } from "./driver.js";
import { RevocationUnavailableError } from "./errors.js";
import { decodeRevocation } from "./messages.js";
import type { Mirror, Revocation } from "./mirror.js";
import type { ResolvedListOptions } from "./options.js";
import type { RevocationStore } from "./store.js";

const SWEEP_EVERY_MS = 1000;
const PRUNE_EVERY_MS = 60_000;
/** The least time between two reloads made to find room after an overflow (each reads every entry). */
const ROOM_RELOAD_EVERY_MS = 5000;

const STALE = new RevocationUnavailableError("stale");
const INCOMPLETE = new RevocationUnavailableError("incomplete");
const CLOSED = new RevocationUnavailableError("closed");

/**
 * Keeps a mirror current. Revocations arrive on the list's channel and are applied as they come. To
 * know the mirror is current, the feed publishes a numbered heartbeat on a channel of its own every
 * `heartbeatMs` and waits for it to come back through its subscriber: Redis delivers a connection's
 * messages in order, so a heartbeat received means every revocation Redis had before it was received
 * too. A missing or late number, or a reconnection, means messages may have been lost: the mirror is then
 * reloaded whole, once a heartbeat proves the subscription works again (so nothing published after the
 * read can be missed). No proof for `maxStalenessMs` makes the mirror stale.
 */
export class MirrorFeed {
	/** What `isRevoked` throws now, or `undefined` when the mirror vouches for its answers. */
	blocked: RevocationUnavailableError | undefined;
	lastCurrentAt = 0;
	lastError: string | undefined;
	reloads = 0;
	stale = false;
	closed = false;

	readonly #mirror: Mirror;
	readonly #store: RevocationStore;
	readonly #driver: Driver;
	readonly #options: ResolvedListOptions;
	readonly #heartbeatChannel: string;
	#subscription: Subscription | undefined;
	#sent = 0;
	#received = 0;
	#unanswered = 0;
	/** A heartbeat slower than this went through a disruption. */
	readonly #lateMs: number;
	#needsReload = false;
	#reloading: Promise<void> | undefined;
	#lastSweep = Date.now();
	#lastPrune = Date.now();
	#lastRoomReload = 0;
	#ticker: NodeJS.Timeout | undefined;
	readonly #staleTimer: NodeJS.Timeout;

	constructor(mirror: Mirror, store: RevocationStore, driver: Driver, options: ResolvedListOptions) {
		this.#mirror = mirror;
		this.#store = store;
		this.#driver = driver;
		this.#options = options;
		this.#heartbeatChannel = `${options.prefix}heartbeat:${randomUUID()}`;
		this.#lateMs = Math.max(2 * options.heartbeatMs, 250);
		this.#staleTimer = setTimeout(() => this.#becomeStale(), options.maxStalenessMs);
		this.#staleTimer.unref();
	}

	/** Subscribes, loads the mirror, and starts the heartbeat; rejects (and cleans up) if any fails. */
	async start(): Promise<void> {
		try {
			this.#subscription = await this.#driver.subscribe([this.#store.names.channel, this.#heartbeatChannel], {
				message: (channel, message) => this.#onMessage(channel, message),
				ready: () => this.#onReconnect(),
				error: (error) => this.#onError(error),
			});
			await this.#reload();
			if (this.#needsReload || this.lastCurrentAt === 0) throw new Error(this.lastError ?? "reload failed");
		} catch (error) {
			await this.close();
			throw error;
		}
		this.#ticker = setInterval(() => this.#tick(), this.#options.heartbeatMs);
		this.#ticker.unref();
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		clearInterval(this.#ticker);
		clearTimeout(this.#staleTimer);
		this.#update();
		await this.#subscription?.close();
		await this.#reloading?.catch(() => undefined);
		this.#mirror.clear();
	}

	/** Applies a revocation this instance just made, without waiting for its message. */
	applyLocal(revocation: Revocation): void {
		if (!this.closed) this.#apply(revocation);
	}

	/** Whether the mirror's state asks for a 503, ignoring `failOpen`. */
	get state(): "current" | "stale" | "incomplete" | "closed" {
		if (this.closed) return "closed";
		if (this.#mirror.incomplete) return "incomplete";
		return this.stale ? "stale" : "current";
	}

	#onMessage(channel: string, message: string): void {
		if (this.closed) return;
		if (channel === this.#heartbeatChannel) {
			this.#onHeartbeat(message);
			return;
		}
		const revocation = decodeRevocation(message);
		if (revocation !== undefined) this.#apply(revocation);
	}

	#apply(revocation: Revocation): void {
		const wasIncomplete = this.#mirror.incomplete;
		this.#mirror.apply(revocation, Date.now());
		if (this.#mirror.incomplete !== wasIncomplete) this.#update();
	}

	#onHeartbeat(message: string): void {
		const colon = message.indexOf(":");
		const number = Number(message.slice(0, colon));
		const sentAt = Number(message.slice(colon + 1));
		// A number skipped (its publish failed, or the subscriber missed it) may hide a lost revocation;
		// so may a heartbeat that arrives late: it waited in a queue while a connection was being
		// re-established (a failover), and the subscriber may have come back only after others published.
		const late = !(Date.now() - sentAt <= this.#lateMs);
		if (number !== this.#received + 1 || late) this.#needsReload = true;
		this.#received = Math.max(this.#received, Number.isSafeInteger(number) ? number : 0);
		if (this.#reloading) return;
		// This message came through the subscription, so it works: a reload started now misses nothing.
		if (this.#needsReload) void this.#reload();
		else this.#proveCurrent();
	}

	#onReconnect(): void {
		this.#needsReload = true;
		this.#heartbeat();
	}

	#onError(error: unknown): void {
		this.lastError = error instanceof Error ? error.message : String(error);
	}

	/** Reads every live revocation from Redis into the mirror (single-flight). */
	#reload(): Promise<void> {
		this.#reloading ??= this.#readAll().finally(() => {
			this.#reloading = undefined;
		});
		return this.#reloading;
	}

	async #readAll(): Promise<void> {
		this.#needsReload = false;
		const startedAt = Date.now();
		const overflowsAtStart = this.#mirror.overflows;
		let revocations: Revocation[];
		try {
			revocations = await this.#store.readAll(startedAt);
		} catch (error) {
			this.#onError(error);
			this.#needsReload = true;
			return;
		}
		if (this.closed) return;
		this.reloads++;
		// Applied in one synchronous pass: no check runs while the mirror is half loaded.
		const now = Date.now();
		const complete = this.#mirror.overflows === overflowsAtStart;
		this.#mirror.markComplete();
		for (const revocation of revocations) this.#mirror.apply(revocation, now);
		if (!complete) this.#mirror.markIncomplete();
		if (!this.#needsReload) this.#proveCurrent(startedAt);
		this.#update();
	}

	#proveCurrent(at = Date.now()): void {
		this.lastCurrentAt = Math.max(this.lastCurrentAt, at);
		this.#staleTimer.refresh();
		if (this.stale) {
			this.stale = false;
			this.#update();
		}
	}

	#becomeStale(): void {
		if (this.closed) return;
		// The timer may fire late (a blocked event loop); what counts is the last proof.
		const age = Date.now() - this.lastCurrentAt;
		if (age < this.#options.maxStalenessMs) {
			this.#staleTimer.refresh();
			return;
		}
		this.stale = true;
		this.#update();
	}

	#update(): void {
		if (this.closed) this.blocked = CLOSED;
		else if (this.#options.failOpen) this.blocked = undefined;
		else if (this.#mirror.incomplete) this.blocked = INCOMPLETE;
		else if (this.stale) this.blocked = STALE;
		else this.blocked = undefined;
	}

	/** Publishes the next heartbeat; none while three are unanswered (Redis is not answering anyway). */
	#heartbeat(): void {
		if (this.#unanswered >= 3) return;
		this.#sent++;
		this.#unanswered++;
		this.#driver
			.publish(this.#heartbeatChannel, `${this.#sent}:${Date.now()}`)
			.catch((error) => this.#onError(error))
			.finally(() => {
				this.#unanswered--;
			});
	}

	#tick(): void {
		if (this.closed) return;
		this.#heartbeat();
		const now = Date.now();
		let expired = 0;
		if (now - this.#lastSweep >= SWEEP_EVERY_MS) {
			this.#lastSweep = now;
			expired = this.#mirror.sweep(now);
			this.#reloadForRoom(now);
		}
		// Redis follows: pruned when something expired here, and every minute anyway.
		if (expired > 0 || now - this.#lastPrune >= PRUNE_EVERY_MS) {
			this.#lastPrune = now;
			this.#store.prune(now).catch((error) => this.#onError(error));
		}
	}

	/** An incomplete mirror with room again reloads, to hold what it had to refuse. */
	#reloadForRoom(now: number): void {
		const mirror = this.#mirror;
		if (!mirror.incomplete || !mirror.hasRoom || this.#reloading || this.stale) return;
		if (now - this.#lastRoomReload < ROOM_RELOAD_EVERY_MS) return;
		this.#lastRoomReload = now;
		void this.#reload();
	}
}
