import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenRegistry, REGISTRY_LIMIT } from "../src/lib/token-registry.js";

const NOW = Math.floor(Date.now() / 1000);

describe("createTokenRegistry", () => {
	it("keeps tokens only as hashes: a lookup needs the token itself", () => {
		const registry = createTokenRegistry();
		const token = registry.issue({ sub: "a", exp: NOW + 60 });
		expect(registry.lookup(token, NOW)).toEqual({ sub: "a", exp: NOW + 60 });
		expect(registry.lookup(token, NOW + 60)).toBeUndefined();
		expect(registry.lookup(`${token}x`, NOW)).toBeUndefined();
	});

	it(`holds at most ${REGISTRY_LIMIT} opaque tokens under a flood, forgetting expired ones, then the oldest`, () => {
		const registry = createTokenRegistry();
		const first = registry.issue({ index: -2 });
		registry.issue({ index: -1, exp: NOW - 1 });
		for (let index = 0; index < REGISTRY_LIMIT - 2; index++) registry.issue({ index });
		expect(registry.size.opaque).toBe(REGISTRY_LIMIT);
		registry.issue({ index: "the expired one made room" });
		expect(registry.size.opaque).toBe(REGISTRY_LIMIT);
		expect(registry.lookup(first, NOW)).toEqual({ index: -2 });
		const tokens = Array.from({ length: REGISTRY_LIMIT * 3 }, (_, index) => registry.issue({ index }));
		expect(registry.size.opaque).toBe(REGISTRY_LIMIT);
		expect(registry.lookup(first, NOW)).toBeUndefined();
		expect(registry.lookup(tokens.at(-1)!, NOW)).toEqual({ index: REGISTRY_LIMIT * 3 - 1 });
		expect(registry.lookup(tokens[REGISTRY_LIMIT * 2]!, NOW)).toEqual({ index: REGISTRY_LIMIT * 2 });
		expect(registry.lookup(tokens[REGISTRY_LIMIT * 2 - 1]!, NOW)).toBeUndefined();
	});

	it(`remembers at most ${REGISTRY_LIMIT} revoked JWTs under a flood, the newest`, async () => {
		const registry = createTokenRegistry();
		const key = new TextEncoder().encode("k".repeat(32));
		const jwt = await new SignJWT({ exp: NOW + 3600 }).setProtectedHeader({ alg: "HS256" }).sign(key);
		registry.revoke(jwt);
		for (let index = 0; index < REGISTRY_LIMIT * 2; index++) registry.revoke(`garbage.${index}.x`);
		expect(registry.size).toEqual({ opaque: 0, revoked: REGISTRY_LIMIT });
		expect(registry.isRevoked(jwt)).toBe(false);
		expect(registry.isRevoked(`garbage.${REGISTRY_LIMIT * 2 - 1}.x`)).toBe(true);
	});

	it("revoking an opaque token forgets it instead of remembering a hash", () => {
		const registry = createTokenRegistry();
		const token = registry.issue({});
		registry.revoke(token);
		expect(registry.size).toEqual({ opaque: 0, revoked: 0 });
		expect(registry.lookup(token, NOW)).toBeUndefined();
	});
});
