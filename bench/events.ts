/**
 * What the diagnostics events cost: the cached-token request (`authenticate`, as the adapters call it)
 * and a refused one, with no subscriber to `bearerguard:authenticate` and with one, interleaved in
 * rounds; each ratio is taken against "no subscriber" within a round. With no subscriber the events
 * cost one `hasSubscribers` read per request; with one, the event object, two clock reads and the publish.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS, createAuthenticator } from "@bearerguard/core";
import { createTestIssuer } from "@bearerguard/testing";
import { TOKEN_CLAIMS } from "./lib/claims.js";
import { type HarnessOptions, type Measurement, measureInterleaved, ratioOfRuns } from "./lib/harness.js";
import { formatCount, formatRatio, markdownTable } from "./lib/table.js";

export const EVENT_CASES = [
	"cache hit, no subscriber",
	"cache hit, one subscriber (counts by outcome and reason)",
	"refused (expired), no subscriber",
	"refused (expired), one subscriber (counts by outcome and reason)",
] as const;

export interface EventsResult extends Measurement {
	readonly case: (typeof EVENT_CASES)[number];
	/** The median over the rounds of ops/s divided by the same request's "no subscriber" ops/s. */
	readonly ratioToNoSubscriber: number;
}

/** A subscriber that does what a metrics recipe does per event: read it and count. */
function counter(): { subscribe(): void; unsubscribe(): void } {
	const counts = new Map<string, number>();
	const seconds = { total: 0 };
	const listener = (message: unknown) => {
		const event = message as AuthenticateEvent;
		const key = `${event.outcome}/${event.reason ?? "none"}/${event.cacheHit}`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
		seconds.total += event.duration / 1000;
	};
	return {
		subscribe: () => subscribe(CHANNELS.authenticate, listener),
		unsubscribe: () => unsubscribe(CHANNELS.authenticate, listener),
	};
}

/** Runs the four cases, interleaved; logs progress to stderr. */
export async function runEvents(harness: HarnessOptions): Promise<EventsResult[]> {
	const issuer = await createTestIssuer();
	try {
		const { authenticate } = createAuthenticator(
			{ issuer: issuer.issuer, audience: issuer.audience, permissions: ["read"] },
			{},
		);
		const token = await issuer.sign(TOKEN_CLAIMS);
		const expired = await issuer.sign(TOKEN_CLAIMS, { expiresIn: -60 });
		const ok = { headers: { authorization: `Bearer ${token}` } };
		const refused = { headers: { authorization: `Bearer ${expired}` } };
		// Keys fetched, the token cached (admitted at its second verification).
		for (let i = 0; i < 3; i++) await authenticate(ok);
		if (authenticate(ok) instanceof Promise) throw new Error("events: the cached request is not synchronous");
		const refuse = () => {
			try {
				authenticate(refused);
			} catch {
				// the 401, as expected
			}
		};
		await (async () => authenticate(refused))().catch(() => undefined);
		const listener = counter();
		const observed = { before: listener.subscribe, after: listener.unsubscribe };
		const cases = [
			{ run: () => authenticate(ok), async: false },
			{ run: () => authenticate(ok), async: false, ...observed },
			{ run: refuse, async: false },
			{ run: refuse, async: false, ...observed },
		];
		const measured = await measureInterleaved(cases, harness);
		return EVENT_CASES.map((name, index) => {
			const measurement = measured[index] as Measurement;
			const baseline = measured[index < 2 ? 0 : 2] as Measurement;
			const result = { case: name, ...measurement, ratioToNoSubscriber: ratioOfRuns(measurement, baseline) };
			process.stderr.write(
				`  events ${name}: ${formatCount(result.opsPerSec)} ops/s (${formatRatio(result.ratioToNoSubscriber)})\n`,
			);
			return result;
		});
	} finally {
		await issuer.close();
	}
}

/** One row per case: ops/s and the ratio to the same request with no subscriber. */
export function eventsTable(results: readonly EventsResult[]): string {
	return markdownTable(
		["authenticate (RS256, permissions: read)", "ops/s", "× no subscriber"],
		results.map((result) => [
			result.case,
			formatCount(result.opsPerSec),
			formatRatio(result.ratioToNoSubscriber),
		]),
	);
}
