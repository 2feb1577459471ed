import { describe, expect, it } from "vitest";
import {
	createAuthenticator,
	createResourceMetadata,
	type ProtectedResourceMetadata,
	RESOURCE_METADATA_PATH,
	resourceMetadataUrl,
	toErrorResponse,
} from "../../src/index.js";
import { rejectionOf } from "../support/refusals.js";
import { forge } from "../support/tokens.js";

const AS = "https://auth.example.com/";
const MCP: ProtectedResourceMetadata = {
	resource: "https://api.example.com/mcp",
	authorization_servers: [AS],
	scopes_supported: ["read", "write"],
	bearer_methods_supported: ["header"],
	resource_name: "Example MCP server",
};

function settled<T>(run: () => T | Promise<T>): Promise<T> {
	return new Promise<T>((resolve) => resolve(run()));
}

describe("resourceMetadataUrl (RFC 9728 §3.1)", () => {
	it("puts the well-known path between the host and the path", () => {
		expect(resourceMetadataUrl("https://api.example.com/mcp")).toBe(
			"https://api.example.com/.well-known/oauth-protected-resource/mcp",
		);
		expect(resourceMetadataUrl("https://api.example.com/v1/mcp/")).toBe(
			"https://api.example.com/.well-known/oauth-protected-resource/v1/mcp/",
		);
	});

	it("drops the slash of a resource without a path, and keeps a port", () => {
		expect(resourceMetadataUrl("https://api.example.com")).toBe(
			"https://api.example.com/.well-known/oauth-protected-resource",
		);
		expect(resourceMetadataUrl("https://api.example.com/")).toBe(
			"https://api.example.com/.well-known/oauth-protected-resource",
		);
		expect(resourceMetadataUrl("http://127.0.0.1:8080/mcp")).toBe(
			"http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
		);
	});
});

describe("createResourceMetadata", () => {
	it("serves the document at its own path and at the bare well-known path", () => {
		const served = createResourceMetadata({ metadata: MCP });
		expect(served.url).toBe("https://api.example.com/.well-known/oauth-protected-resource/mcp");
		expect(served.paths).toEqual([`${RESOURCE_METADATA_PATH}/mcp`, RESOURCE_METADATA_PATH]);
		for (const path of served.paths) {
			expect(served.answer("GET", path)).toEqual({
				status: 200,
				headers: {
					"content-type": "application/json",
					"cache-control": "public, max-age=3600",
					"access-control-allow-origin": "*",
				},
				body: JSON.stringify(MCP),
			});
		}
	});

	it("has one path for a resource without a path", () => {
		const served = createResourceMetadata({ metadata: { resource: "https://api.example.com" } });
		expect(served.paths).toEqual([RESOURCE_METADATA_PATH]);
		expect(served.answer("GET", `${RESOURCE_METADATA_PATH}/mcp`)).toBeUndefined();
	});

	it("answers HEAD without a body and the CORS preflight with 204", () => {
		const served = createResourceMetadata({ metadata: MCP });
		expect(served.answer("HEAD", `${RESOURCE_METADATA_PATH}/mcp`)).toEqual({
			status: 200,
			headers: {
				"content-type": "application/json",
				"cache-control": "public, max-age=3600",
				"access-control-allow-origin": "*",
				"content-length": String(Buffer.byteLength(JSON.stringify(MCP))),
			},
			body: "",
		});
		expect(served.answer("OPTIONS", `${RESOURCE_METADATA_PATH}/mcp`)).toEqual({
			status: 204,
			headers: {
				"access-control-allow-origin": "*",
				"access-control-allow-methods": "GET, HEAD, OPTIONS",
				"access-control-allow-headers": "*",
				"access-control-max-age": "86400",
			},
			body: "",
		});
	});

	it("ignores a query, and leaves other paths and methods alone", () => {
		const served = createResourceMetadata({ metadata: MCP });
		expect(served.answer("GET", `${RESOURCE_METADATA_PATH}/mcp?x=1`)?.status).toBe(200);
		expect(served.answer("POST", `${RESOURCE_METADATA_PATH}/mcp`)).toBeUndefined();
		expect(served.answer("DELETE", RESOURCE_METADATA_PATH)).toBeUndefined();
		expect(served.answer("GET", "/mcp")).toBeUndefined();
		expect(served.answer("GET", `${RESOURCE_METADATA_PATH}/mcp/more`)).toBeUndefined();
		expect(served.answer("GET", `${RESOURCE_METADATA_PATH}/other`)).toBeUndefined();
		expect(served.answer("GET", `${RESOURCE_METADATA_PATH}x`)).toBeUndefined();
	});

	it("serves a frozen copy: changing the options later changes nothing", () => {
		const metadata = { resource: "https://api.example.com", scopes_supported: ["read"] };
		const served = createResourceMetadata({ metadata });
		metadata.scopes_supported.push("admin");
		expect(served.answer("GET", RESOURCE_METADATA_PATH)?.body).toBe(
			'{"resource":"https://api.example.com","scopes_supported":["read"]}',
		);
		expect(Object.isFrozen(served.metadata)).toBe(true);
		expect(Object.isFrozen(served.metadata.scopes_supported)).toBe(true);
	});

	it("keeps language-tagged members (§2.1) and drops undefined ones", () => {
		const served = createResourceMetadata({
			metadata: { resource: "https://api.example.com", "resource_name#fr": "Exemple", jwks_uri: undefined },
		});
		expect(served.answer("GET", RESOURCE_METADATA_PATH)?.body).toBe(
			'{"resource":"https://api.example.com","resource_name#fr":"Exemple"}',
		);
	});

	const refusals: ReadonlyArray<[string, unknown, string]> = [
		[
			"no options",
			undefined,
			'"resource" must be an object such as { metadata: { resource, authorization_servers } }.',
		],
		[
			"an unknown option",
			{ metadata: MCP, path: "/x" },
			'"resource" has no option "path"; it takes { metadata }.',
		],
		["no metadata", {}, '"resource.metadata" must be an object such as { resource, authorization_servers }.'],
		[
			"no resource",
			{ metadata: {} },
			"\"resource.metadata.resource\" must be this API's identifier, an absolute http(s) URL such as 'https://api.example.com'.",
		],
		[
			"a relative resource",
			{ metadata: { resource: "/mcp" } },
			"\"resource.metadata.resource\" must be this API's identifier, an absolute http(s) URL such as 'https://api.example.com'.",
		],
		[
			"a resource of another scheme",
			{ metadata: { resource: "urn:example:api" } },
			"\"resource.metadata.resource\" must be this API's identifier, an absolute http(s) URL such as 'https://api.example.com'.",
		],
		[
			"a resource with a fragment",
			{ metadata: { resource: "https://api.example.com/#x" } },
			'"resource.metadata.resource" must have no query and no fragment (RFC 9728 §1.2).',
		],
		[
			"a resource with a query",
			{ metadata: { resource: "https://api.example.com/?tenant=1" } },
			'"resource.metadata.resource" must have no query and no fragment (RFC 9728 §1.2).',
		],
		[
			"a misspelt member",
			{ metadata: { resource: "https://a.example", authorization_server: [AS] } },
			'"resource.metadata" has no member "authorization_server"; did you mean "authorization_servers"? (RFC 9728 §2)',
		],
		[
			"authorization_servers as a string",
			{ metadata: { resource: "https://a.example", authorization_servers: AS } },
			'"resource.metadata.authorization_servers" must be an array of issuer URLs.',
		],
		[
			"authorization_servers with a relative URL",
			{ metadata: { resource: "https://a.example", authorization_servers: ["auth"] } },
			'"resource.metadata.authorization_servers" must be an absolute http(s) URL.',
		],
		[
			"a scope with a space",
			{ metadata: { resource: "https://a.example", scopes_supported: ["read write"] } },
			'"resource.metadata.scopes_supported" must be an array of scope values without spaces or quotes.',
		],
		[
			"an unknown bearer method",
			{ metadata: { resource: "https://a.example", bearer_methods_supported: ["cookie"] } },
			"\"resource.metadata.bearer_methods_supported\" must be an array of 'header', 'body' or 'query'.",
		],
		[
			"alg none",
			{ metadata: { resource: "https://a.example", resource_signing_alg_values_supported: ["none"] } },
			'"resource.metadata.resource_signing_alg_values_supported" must be an array of algorithm names.',
		],
		[
			"a documentation page that is not a URL",
			{ metadata: { resource: "https://a.example", resource_documentation: "docs" } },
			'"resource.metadata.resource_documentation" must be an absolute http(s) URL.',
		],
		[
			"a boolean as a string",
			{ metadata: { resource: "https://a.example", dpop_bound_access_tokens_required: "true" } },
			'"resource.metadata.dpop_bound_access_tokens_required" must be true or false.',
		],
		[
			"an empty name",
			{ metadata: { resource: "https://a.example", resource_name: "" } },
			'"resource.metadata.resource_name" must be a non-empty string.',
		],
		[
			"a language-tagged member that is not a string",
			{ metadata: { resource: "https://a.example", "resource_name#fr": 1 } },
			'"resource.metadata.resource_name#fr" must be a string.',
		],
	];

	it.each(refusals)("refuses %s with a TypeError that says what to fix", (_name, options, message) => {
		expect(() => createResourceMetadata(options as never)).toThrow(new TypeError(`bearerguard: ${message}`));
	});
});

describe("the resource option", () => {
	const SECRET = "resource-metadata-test-secret-0123456789";
	const options = {
		issuer: AS,
		audience: "https://api.example.com/mcp",
		secret: SECRET,
		resource: { metadata: MCP },
	};
	const metadataUrl = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

	it("names the metadata URL in every 401 challenge, bare or not", async () => {
		const { authenticate, challengeSettings, resourceMetadata } = createAuthenticator(options, {});
		expect(challengeSettings).toEqual({ realm: "api", resourceMetadata: metadataUrl });
		expect(resourceMetadata?.url).toBe(metadataUrl);
		const missing = toErrorResponse(await rejectionOf(settled(() => authenticate({ headers: {} }))));
		expect(missing.headers["www-authenticate"]).toBe(
			`Bearer realm="api", resource_metadata="${metadataUrl}"`,
		);
		const bad = toErrorResponse(
			await rejectionOf(settled(() => authenticate({ headers: { authorization: "Bearer a.b.c" } }))),
		);
		expect(bad.status).toBe(401);
		expect(bad.headers["www-authenticate"]).toBe(
			`Bearer realm="api", error="invalid_token", error_description="Malformed token", resource_metadata="${metadataUrl}"`,
		);
	});

	it("leaves 400 and 403 challenges as they were", async () => {
		const { authenticate } = createAuthenticator({ ...options, permissions: ["admin"] }, {});
		const malformed = toErrorResponse(
			await rejectionOf(settled(() => authenticate({ headers: { authorization: "Bearer a b" } }))),
		);
		expect(malformed.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="invalid_request", error_description="Malformed Authorization header"',
		);
		const token = forge(
			{ alg: "HS256" },
			{ iss: AS, aud: options.audience, exp: 4e9, permissions: ["read"] },
			Buffer.from(SECRET),
		);
		const forbidden = toErrorResponse(
			await rejectionOf(settled(() => authenticate({ headers: { authorization: `Bearer ${token}` } }))),
		);
		expect(forbidden.headers["www-authenticate"]).toBe(
			'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions for the requested operation", scope="admin"',
		);
	});

	it("is checked when the authenticator is created", () => {
		expect(() =>
			createAuthenticator({ ...options, resource: { metadata: { resource: "nope" } } }, {}),
		).toThrow(TypeError);
	});

	it("is absent from the challenge settings without the option", () => {
		const { challengeSettings, resourceMetadata } = createAuthenticator(
			{ ...options, resource: undefined },
			{},
		);
		expect(challengeSettings).toEqual({ realm: "api" });
		expect(resourceMetadata).toBeUndefined();
	});
});
