/**
 * The `node:diagnostics_channel` channels bearerguard publishes on. Publishing is guarded by
 * `hasSubscribers`: with no subscriber nothing is built, timed or published.
 */
import { channel } from "node:diagnostics_channel";

/**
 * The names of bearerguard's channels: subscribe with `diagnostics_channel.subscribe(name, listener)`.
 *
 * - `authenticate`: one {@link AuthenticateEvent} per authentication (a guard, `verifier.verify`).
 * - `fetch`: one {@link FetchEvent} per JWKS, discovery or introspection request.
 * - `config`: a {@link ConfigEvent} when a failure is the configuration's, not an outage (once per cause).
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe(CHANNELS.authenticate, (message) => console.log((message as AuthenticateEvent).outcome))
 * ```
 */
export const CHANNELS = Object.freeze({
	authenticate: "bearerguard:authenticate",
	fetch: "bearerguard:fetch",
	config: "bearerguard:config",
} as const);

/** The `bearerguard:authenticate` channel (held here, so it lives as long as the module). */
export const authenticateChannel = channel(CHANNELS.authenticate);
/** The `bearerguard:fetch` channel. */
export const fetchChannel = channel(CHANNELS.fetch);
/** The `bearerguard:config` channel. */
export const configChannel = channel(CHANNELS.config);
