/**
 * Which `auth` objects bearerguard made, so a later guard can trust one an earlier guard left on the
 * request, and never one a user or another library wrote there (`req.auth = { ... }`). Every scheme
 * that builds an `auth` marks it once, when it is made (a cached token's `auth` is marked already).
 */
import type { AuthResult } from "../types.js";

const issued = new WeakSet<object>();

/** Marks an `auth` as made by bearerguard after verifying its credential; returns it. */
export function markIssued<T extends AuthResult>(auth: T): T {
	issued.add(auth);
	return auth;
}

/** Whether `value` is an `auth` that bearerguard made (not a look-alike). */
export function isIssued(value: unknown): value is AuthResult {
	return typeof value === "object" && value !== null && issued.has(value);
}
