import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS } from "@bearerguard/core";
import { type Meter, metrics } from "@opentelemetry/api";

/** Counts authentications by outcome and reason, and times them, as OpenTelemetry metrics; returns the undo. */
export function recordAuthMetrics(meter: Meter = metrics.getMeter("bearerguard")): () => void {
	const authentications = meter.createCounter("bearerguard.authentications", {
		description: "Authentications, by outcome and refusal reason",
		unit: "{authentication}",
	});
	const duration = meter.createHistogram("bearerguard.authentication.duration", {
		description: "Time to authenticate a request (keys fetched meanwhile included)",
		unit: "s",
		advice: { explicitBucketBoundaries: [0.000_01, 0.000_1, 0.001, 0.01, 0.1, 1, 5] },
	});
	const onAuthenticate = (message: unknown) => {
		const event = message as AuthenticateEvent;
		authentications.add(1, { outcome: event.outcome, reason: event.reason ?? "none" });
		duration.record(event.duration / 1000, { outcome: event.outcome, cache_hit: event.cacheHit });
	};
	subscribe(CHANNELS.authenticate, onAuthenticate);
	return () => unsubscribe(CHANNELS.authenticate, onAuthenticate);
}
