/**
 * The demo's last act: `bearerguard inspect` (the built CLI, as a user runs it) on the expired and the
 * wrong-audience tokens the tour sent, printing its report; each must end with the refusal the apps gave.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestIssuer } from "@bearerguard/testing";
import type { Tokens } from "./tour.js";

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

/** What each inspected token must end with, and the exit code (1: refused). */
const EXPECTED: ReadonlyArray<[keyof Tokens, string, string]> = [
	["expired", "EXPIRED_TOKEN", "REFUSED   401 invalid_token: Token has expired (reason token_expired)"],
	[
		"otherAudience",
		"WRONG_AUDIENCE_TOKEN",
		"REFUSED   401 invalid_token: Unexpected token audience (reason audience_mismatch)",
	],
];

function run(
	token: string,
	env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		// Asynchronously: the issuer the CLI fetches keys from runs in this process.
		execFile(process.execPath, [BIN, "inspect", token], { env, timeout: 30_000 }, (error, stdout, stderr) => {
			resolve({
				code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
				stdout,
				stderr,
			});
		});
	});
}

/** Runs the inspections, prints them; returns 0 when each ended as expected, else 1. */
export async function inspectRefusals(issuer: TestIssuer, tokens: Tokens): Promise<number> {
	const env = { ...process.env, BEARERGUARD_ISSUER: issuer.issuer, BEARERGUARD_AUDIENCE: issuer.audience };
	let code = 0;
	for (const [name, variable, verdict] of EXPECTED) {
		console.log(`\n$ bearerguard inspect $${variable}`);
		const result = await run(tokens[name], env);
		process.stdout.write(result.stdout + result.stderr);
		if (result.code !== 1 || !result.stdout.includes(verdict)) {
			console.log(
				`bearerguard inspect did not end with "${verdict}" and exit code 1 (exit code ${result.code}).`,
			);
			code = 1;
		}
	}
	return code;
}
