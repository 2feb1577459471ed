import type { Driver, SubscriberEvents, Subscription } from "../driver.js";

/** The part of an `ioredis` subscriber connection the package uses. */
export interface IoRedisSubscriber {
	readonly status: string;
	connect(): Promise<unknown>;
	subscribe(...channels: string[]): Promise<unknown>;
	on(event: "message", listener: (channel: string, message: string) => void): unknown;
	on(event: "ready" | "error", listener: (error?: unknown) => void): unknown;
	disconnect(): void;
}

/** The part of an `ioredis` client (`new Redis()`, `new Redis.Cluster()`) the package uses. */
export interface IoRedisClient {
	readonly status: string;
	duplicate(): IoRedisSubscriber;
	eval(script: string, numkeys: number, ...keysAndArgs: string[]): Promise<unknown>;
	publish(channel: string, message: string): Promise<unknown>;
	set(key: string, value: string, px: "PX", milliseconds: number, nx: "NX"): Promise<unknown>;
}

/**
 * The driver over ioredis. Its `ready` comes before it has resubscribed; the list only trusts a
 * reconnection once its own heartbeat comes back through the channel, so that is enough.
 */
export function ioRedisDriver(client: IoRedisClient): Driver {
	return {
		eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
		publish: (channel, message) => client.publish(channel, message),
		async setIfAbsent(key, ttlMs) {
			return (await client.set(key, "1", "PX", ttlMs, "NX")) !== null;
		},
		async subscribe(channels: readonly string[], events: SubscriberEvents): Promise<Subscription> {
			const subscriber = client.duplicate();
			let connected = false;
			subscriber.on("error", (error) => events.error(error));
			subscriber.on("ready", () => {
				if (connected) events.ready();
			});
			subscriber.on("message", (channel, message) => events.message(channel, message));
			try {
				// A client made with lazyConnect duplicates into one that waits for connect().
				if (subscriber.status === "wait") await subscriber.connect();
				await subscriber.subscribe(...channels);
			} catch (error) {
				subscriber.disconnect();
				throw error;
			}
			connected = true;
			return {
				async close() {
					subscriber.disconnect();
				},
			};
		},
	};
}
