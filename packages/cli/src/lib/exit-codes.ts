/**
 * The exit codes of every command: `0` everything passed; `1` a check failed (the token would be
 * refused, the issuer's keys have a problem); `2` a usage or configuration error (a bad flag, no
 * issuer); `3` the issuer could not be reached (keys unavailable: the 503 case).
 */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, unavailable: 3 } as const);
