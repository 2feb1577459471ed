import { KeyObject, type webcrypto } from "node:crypto";
import type { AuthOptions } from "@bearerguard/core";
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from "@bearerguard/testing";
import type { Answer } from "./answers.js";
import { type Attacker, startAttacker } from "./attacker.js";
import { type Audience, claims, forge, type SegmentInput } from "./forge.js";
import type { AttackRequest, Reply } from "./send.js";
import type { GuardedRoute } from "./servers.js";

/**
 * The world the attack catalog runs in: a real issuer (RS256, ES256, PS256, EdDSA keys and a shared
 * secret), a second issuer nobody trusts, the attacker's server, and the verifier configurations the
 * rows are sent to. Each configuration is mounted at `/<config>/things` (any valid token) and
 * `/<config>/write` (requires `write`).
 */

/** The verifier configurations, by the path prefix they are mounted under. */
export type ConfigName = "default" | "strict" | "secret" | "query" | "aged" | "org" | "exact" | "multi";

/** Everything a row may use to build its request. */
export interface AttackContext {
	readonly issuer: TestIssuer;
	readonly foreign: TestIssuer;
	readonly attacker: Attacker;
	readonly target: Audience;
	/** The issuer's current key id for `alg`. */
	kid(alg: TestAlgorithm): string;
	/** The issuer's private key for `alg` (or the secret for HS*). */
	privateKey(alg: TestAlgorithm): KeyObject | string;
	/** The issuer's RSA public key in every form an attacker can download it in. */
	readonly rsaPublic: {
		readonly spki: string;
		readonly pkcs1: string;
		readonly der: Buffer;
		readonly jwk: string;
	};
	/**
	 * A token signed with the issuer's real key: header `{ alg, kid }` merged with `header` (or raw header
	 * text), payload = valid claims merged with `extra` (or raw payload text).
	 */
	signed(
		alg: TestAlgorithm,
		extra?: Record<string, unknown> | string,
		header?: Record<string, unknown> | string,
	): string;
}

/** One row of the catalog. */
export interface AttackRow {
	/** What is attacked, naming the RFC section or advisory; the test name. */
	readonly name: string;
	readonly expect: Answer;
	/** Builds the request; called once per adapter, so every adapter gets its own fresh token. */
	request(ctx: AttackContext): AttackRequest | Promise<AttackRequest>;
	/** Runs first against the same adapter (e.g. to put the token in the verified-token cache). */
	before?(
		ctx: AttackContext,
		request: AttackRequest,
		send: (req: AttackRequest) => Promise<Reply>,
	): Promise<void>;
}

/** `Authorization: Bearer <token>` to `/<config>/<route>`. */
export function bearer(token: string, config: ConfigName = "default", route = "things"): AttackRequest {
	return { path: `/${config}/${route}`, authorization: `Bearer ${token}` };
}

/** The verifier options of each configuration. */
export function configOptions(
	ctx: Pick<AttackContext, "issuer" | "foreign">,
): Record<ConfigName, AuthOptions> {
	const base = { issuer: ctx.issuer.issuer, audience: ctx.issuer.audience };
	return {
		default: base,
		strict: { ...base, typ: "at+jwt" },
		secret: { ...base, secret: ctx.issuer.secret },
		query: { ...base, allowQueryToken: true },
		aged: { ...base, maxTokenAge: "1h" },
		org: { ...base, organization: { header: "x-organization-id" } },
		exact: { ...base, clockTolerance: 0 },
		multi: { ...base, issuer: [ctx.issuer.issuer, ctx.foreign.issuer] },
	};
}

/** The routes every adapter serves: `/<config>/things`, `/<config>/write`, and `/default/optional`. */
export function catalogRoutes(ctx: Pick<AttackContext, "issuer" | "foreign">): GuardedRoute[] {
	const routes: GuardedRoute[] = [];
	for (const [name, options] of Object.entries(configOptions(ctx))) {
		routes.push({ path: `/${name}/things`, options });
		routes.push({ path: `/${name}/write`, options: { ...options, permissions: ["write"] } });
	}
	routes.push({ path: "/default/optional", options: { ...configOptions(ctx).default, optional: true } });
	return routes;
}

function pem(key: KeyObject, type: "spki" | "pkcs1"): string {
	return key.export({ format: "pem", type }).toString();
}

/** Starts the issuers and the attacker; `close()` stops them. */
export async function createCatalogContext(): Promise<AttackContext & { close(): Promise<void> }> {
	const issuer = await createTestIssuer({ algorithms: ["RS256", "ES256", "PS256", "EdDSA"] });
	const foreign = await createTestIssuer({ algorithms: ["RS256"], audience: issuer.audience });
	const attacker = await startAttacker();
	const target = { issuer: issuer.issuer, audience: issuer.audience };
	const rsa = KeyObject.from(issuer.publicKey("RS256") as webcrypto.CryptoKey);
	const kid = (alg: TestAlgorithm): string => {
		const jwk = issuer.jwks.keys.find((key) => key.alg === alg);
		if (jwk?.kid === undefined) throw new Error(`the test issuer has no ${alg} key`);
		return jwk.kid;
	};
	const privateKey = (alg: TestAlgorithm): KeyObject | string => {
		if (alg.startsWith("HS")) return issuer.secret;
		return KeyObject.from(issuer.privateKey(alg) as webcrypto.CryptoKey);
	};
	return {
		issuer,
		foreign,
		attacker,
		target,
		kid,
		privateKey,
		rsaPublic: {
			spki: pem(rsa, "spki"),
			pkcs1: pem(rsa, "pkcs1"),
			der: rsa.export({ format: "der", type: "spki" }),
			jwk: JSON.stringify(rsa.export({ format: "jwk" })),
		},
		signed(alg, extra = {}, header = {}) {
			const headerInput: SegmentInput =
				typeof header === "string"
					? header
					: { alg, ...(alg.startsWith("HS") ? {} : { kid: kid(alg) }), ...header };
			const payload: SegmentInput = typeof extra === "string" ? extra : claims(target, extra);
			return forge({ header: headerInput, payload, alg, key: privateKey(alg) });
		},
		async close() {
			await Promise.all([issuer.close(), foreign.close(), attacker.close()]);
		},
	};
}
