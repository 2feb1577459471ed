import { expect } from "vitest";
import type { Answer } from "./answers.js";
import type { Reply } from "./send.js";
import type { RouteBody } from "./servers.js";

/** Asserts that a reply is exactly the expected answer: status, body, and the contract's headers. */
export function checkReply(reply: Reply, answer: Answer): void {
	if (answer.kind === "http") {
		// Node's parser answers (or, for a header it stops reading, closes) before any middleware runs.
		expect({ status: reply.reset ? answer.status : reply.status, body: reply.body }).toEqual({
			status: answer.status,
			body: expect.not.stringContaining("server_error"),
		});
		return;
	}
	if (answer.kind === "ok") {
		const { auth } = JSON.parse(reply.body) as RouteBody;
		expect({
			status: reply.status,
			sub: auth?.subject ?? null,
			permissions: auth?.permissions ?? [],
		}).toEqual({
			status: 200,
			sub: answer.sub,
			permissions: answer.permissions ?? expect.any(Array),
		});
		return;
	}
	expect({
		status: reply.status,
		contentType: reply.headers["content-type"],
		cacheControl: reply.headers["cache-control"],
		challenge: reply.headers["www-authenticate"],
		body: reply.body,
	}).toEqual({
		status: answer.status,
		contentType: "application/json",
		cacheControl: "no-store",
		challenge: answer.challenge,
		body: JSON.stringify({ error: answer.error, message: answer.message }),
	});
}
