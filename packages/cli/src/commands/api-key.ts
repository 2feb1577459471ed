import { generateApiKey } from "@bearerguard/core";
import { colourFor, type Io, painter, writeJson } from "../lib/output.js";

/** `bearerguard api-key new [--json]`: prints a new key and the hash to store. Exit code 0. */
export function apiKeyNew(io: Io, options: { json?: boolean }): number {
	const { key, hash } = generateApiKey();
	if (options.json) {
		writeJson(io, { key, hash });
		return 0;
	}
	const paint = painter(colourFor(io));
	io.stdout.write(
		[
			`key   ${paint("bold", key)}`,
			`hash  ${hash}`,
			"",
			paint(
				"dim",
				"Give the key to its client once; store only the hash, e.g. apiKeys: { keys: [{ hash, subject, permissions }] }.",
			),
			"",
		].join("\n"),
	);
	return 0;
}
