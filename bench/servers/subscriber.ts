import { subscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS } from "@bearerguard/core";

/** Counts for the subscribed variant: by outcome and reason, and the summed duration, as a metrics recipe would. */
export const counts = new Map<string, number>();
export const total = { duration: 0 };

/**
 * Subscribes one listener to `bearerguard:authenticate` that does what a metrics subscriber does per
 * request: reads the outcome, the reason and the duration, and counts.
 */
export function subscribeCounter(): void {
	subscribe(CHANNELS.authenticate, (message) => {
		const event = message as AuthenticateEvent;
		const key = `${event.outcome}/${event.reason ?? "none"}`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
		total.duration += event.duration;
	});
}
