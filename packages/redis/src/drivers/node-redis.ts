import type { Driver, SubscriberEvents, Subscription } from "../driver.js";

/** The part of a `redis` (node-redis 5 or 6) subscriber connection the package uses. */
export interface NodeRedisSubscriber {
	connect(): Promise<unknown>;
	subscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<unknown>;
	on(event: "error" | "ready", listener: (error?: unknown) => void): unknown;
	destroy(): void;
}

/**
 * The part of a client of the official `redis` package (5 or 6: `createClient()`, `createSentinel()`)
 * the package uses. Declared structurally, so any client of those versions fits whatever its modules,
 * scripts or RESP version.
 */
export interface NodeRedisClient {
	readonly isOpen: boolean;
	duplicate(): NodeRedisSubscriber;
	eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
	publish(channel: string, message: string): Promise<unknown>;
	set(
		key: string,
		value: string,
		options: { condition: "NX"; expiration: { type: "PX"; value: number } },
	): Promise<unknown>;
}

/** The driver over node-redis: its subscriber resubscribes by itself on reconnect, then emits `ready`. */
export function nodeRedisDriver(client: NodeRedisClient): Driver {
	return {
		eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
		publish: (channel, message) => client.publish(channel, message),
		async setIfAbsent(key, ttlMs) {
			const reply = await client.set(key, "1", { condition: "NX", expiration: { type: "PX", value: ttlMs } });
			return reply !== null && reply !== undefined;
		},
		async subscribe(channels: readonly string[], events: SubscriberEvents): Promise<Subscription> {
			const subscriber = client.duplicate();
			let connected = false;
			subscriber.on("error", (error) => events.error(error));
			// `ready` follows every reconnection, once the subscriptions are restored.
			subscriber.on("ready", () => {
				if (connected) events.ready();
			});
			try {
				await subscriber.connect();
				await subscriber.subscribe([...channels], (message, channel) => events.message(channel, message));
			} catch (error) {
				subscriber.destroy();
				throw error;
			}
			connected = true;
			return {
				// Nothing to flush on a subscriber: closing it at once also works while Redis is down.
				async close() {
					subscriber.destroy();
				},
			};
		},
	};
}
