/**
 * The `bearerguard:authenticate` event of DPoP requests, through every adapter: `scheme: 'DPoP'` on
 * success and on every refusal of a DPoP request, the proof's reason, and never the proof or the token.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { type AuthenticateEvent, CHANNELS, type ErrorReason } from "@bearerguard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, startApps, type TestApp } from "../support/apps.js";
import { type Fixture, startFixture } from "../support/fixture.js";
import { send } from "../support/http.js";

let fx: Fixture;
let apps: TestApp[];
const events: AuthenticateEvent[] = [];
const listener = (message: unknown) => events.push(message as AuthenticateEvent);

beforeAll(async () => {
	fx = await startFixture();
	apps = await startApps({ issuer: fx.main.issuer, audience: fx.main.audience }, [
		{ method: "GET", path: "/d", auth: { dpop: {} } },
		{
			method: "GET",
			path: "/n",
			auth: { dpop: { nonce: { secret: "an-events-test-secret-of-32-bytes!" } } },
		},
	]);
	subscribe(CHANNELS.authenticate, listener);
});
afterAll(async () => {
	unsubscribe(CHANNELS.authenticate, listener);
	await Promise.all(apps.map((app) => app.close()));
	await fx.close();
});

interface Sent {
	readonly token: string;
	readonly proof: string;
	readonly status: number;
	readonly event: AuthenticateEvent;
}

describe.each(ADAPTERS)("%s", (adapter) => {
	const app = () => apps.find((found) => found.name === adapter) as TestApp;

	/** One DPoP request to `path` with a bound token and a proof (`forge` changes the proof's claims). */
	async function dpopRequest(
		path: string,
		claims: Record<string, unknown> = {},
		proof?: string,
	): Promise<Sent> {
		const token = await fx.main.sign({ sub: `dpop_${adapter}` }, { dpopKey: fx.main.dpopKey });
		const made =
			proof ?? (await fx.main.dpopProof({ method: "GET", url: `${app().url}${path}`, token, claims }));
		events.length = 0;
		const answer = await send(app(), {
			method: "GET",
			path,
			headers: { authorization: `DPoP ${token}`, dpop: made },
		});
		expect(events).toHaveLength(1);
		return { token, proof: made, status: answer.status, event: events[0] as AuthenticateEvent };
	}

	function expectRefusal(sent: Sent, reason: ErrorReason, error: string): void {
		expect(sent.status).toBe(401);
		expect({ ...sent.event, duration: 0, error: sent.event.error?.name }).toEqual({
			outcome: "refused",
			reason,
			status: 401,
			scheme: "DPoP",
			source: undefined,
			issuer: fx.main.issuer,
			subject: undefined,
			cacheHit: false,
			duration: 0,
			error,
		});
	}

	it("an accepted DPoP request: scheme DPoP, source jwt, the subject", async () => {
		const sent = await dpopRequest("/d");
		expect(sent.status).toBe(200);
		expect({ ...sent.event, duration: 0 }).toEqual({
			outcome: "authenticated",
			reason: undefined,
			status: undefined,
			scheme: "DPoP",
			source: "jwt",
			issuer: fx.main.issuer,
			subject: `dpop_${adapter}`,
			cacheHit: false,
			duration: 0,
			error: undefined,
		});
		const published = JSON.stringify(sent.event);
		expect(published).not.toContain(sent.proof.slice(0, 40));
		expect(published).not.toContain(sent.token.slice(-43));
	});

	it("a proof for another URL: dpop_proof_htu, with the DPoP scheme", async () => {
		expectRefusal(
			await dpopRequest("/d", { htu: "https://elsewhere.example/d" }),
			"dpop_proof_htu",
			"InvalidDpopProofError",
		);
	});

	it("a replayed proof: dpop_proof_replayed", async () => {
		const first = await dpopRequest("/d");
		expect(first.status).toBe(200);
		const again = await dpopRequest("/d", {}, first.proof);
		// The token of the replay is another one, so the proof's ath fails first: replay the pair instead.
		expect(again.event.reason).toBe("dpop_proof_ath");
		events.length = 0;
		const answer = await send(app(), {
			method: "GET",
			path: "/d",
			headers: { authorization: `DPoP ${first.token}`, dpop: first.proof },
		});
		expect(answer.status).toBe(401);
		expectRefusal(
			{ ...first, status: answer.status, event: events[0] as AuthenticateEvent },
			"dpop_proof_replayed",
			"InvalidDpopProofError",
		);
	});

	it("a proof without the server's nonce: dpop_nonce_required", async () => {
		expectRefusal(await dpopRequest("/n"), "dpop_nonce_required", "UseDpopNonceError");
	});
});
