import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS, type ConfigEvent, type FetchEvent } from "@bearerguard/core";
import type { Logger } from "pino";

/** Logs why requests are refused, failed key fetches and configuration errors; returns the undo. */
export function logRefusals(logger: Logger): () => void {
	const onAuthenticate = (message: unknown) => {
		const event = message as AuthenticateEvent;
		if (event.outcome === "authenticated" || event.outcome === "anonymous") return;
		const cause = event.error?.cause;
		logger.warn(
			{
				reason: event.reason,
				status: event.status,
				scheme: event.scheme,
				issuer: event.issuer,
				// The expected and actual iss/aud of a mismatch, the network error of a 503.
				detail: cause instanceof Error ? cause.message : undefined,
			},
			"request refused",
		);
	};
	const onFetch = (message: unknown) => {
		const event = message as FetchEvent;
		if (event.outcome === "success") return;
		logger.error(
			{
				kind: event.kind,
				url: event.url,
				code: event.code,
				status: event.status,
				ms: Math.round(event.duration),
			},
			`${event.kind} fetch failed`,
		);
	};
	const onConfig = (message: unknown) => {
		const event = message as ConfigEvent;
		logger.error({ problem: event.problem, issuer: event.issuer, found: event.found }, event.message);
	};
	subscribe(CHANNELS.authenticate, onAuthenticate);
	subscribe(CHANNELS.fetch, onFetch);
	subscribe(CHANNELS.config, onConfig);
	return () => {
		unsubscribe(CHANNELS.authenticate, onAuthenticate);
		unsubscribe(CHANNELS.fetch, onFetch);
		unsubscribe(CHANNELS.config, onConfig);
	};
}
