import { Agent, request } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { createTestIssuer } from "../src/index.js";

/** Resolves with the body of a GET through the given agent. */
function get(url: string, agent: Agent): Promise<string> {
	return new Promise((resolve, reject) => {
		request(url, { agent }, (response) => {
			let body = "";
			response.setEncoding("utf8");
			response.on("data", (chunk: string) => {
				body += chunk;
			});
			response.on("end", () => resolve(body));
			response.on("error", reject);
		})
			.on("error", reject)
			.end();
	});
}

async function timed(action: () => Promise<void>): Promise<number> {
	const started = performance.now();
	await action();
	return performance.now() - started;
}

describe("close()", () => {
	it("resolves promptly with an idle keep-alive connection open", async () => {
		const issuer = await createTestIssuer();
		const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
		try {
			expect(JSON.parse(await get(issuer.jwksUri, agent))).toEqual(issuer.jwks);
			const idle = Object.values(agent.freeSockets).flat();
			expect(idle).toHaveLength(1);
			expect(await timed(() => issuer.close())).toBeLessThan(500);
			await expect(fetch(issuer.jwksUri)).rejects.toThrow("fetch failed");
		} finally {
			agent.destroy();
		}
	});

	it("resolves promptly with a request in flight, which fails", async () => {
		const issuer = await createTestIssuer();
		const agent = new Agent({ keepAlive: true });
		try {
			issuer.setJwks({ keys: [] }, { delay: 10_000 });
			const pending = get(issuer.jwksUri, agent);
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect(await timed(() => issuer.close())).toBeLessThan(500);
			await expect(pending).rejects.toMatchObject({ code: "ECONNRESET" });
		} finally {
			agent.destroy();
		}
	});

	it("resolves promptly with a raw TCP connection that never sent a request", async () => {
		const issuer = await createTestIssuer();
		const { port } = new URL(issuer.issuer);
		const socket = connect(Number(port), "127.0.0.1");
		await new Promise((resolve) => socket.once("connect", resolve));
		const closed = new Promise((resolve) => socket.once("close", resolve));
		socket.on("error", () => {});
		expect(await timed(() => issuer.close())).toBeLessThan(500);
		await closed;
	});

	it("may be called twice, and sign() still works afterwards", async () => {
		const issuer = await createTestIssuer({ algorithms: ["HS256"] });
		const { close } = issuer;
		await Promise.all([close(), issuer.close()]);
		await issuer.close();
		expect(await issuer.sign()).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
	});
});
