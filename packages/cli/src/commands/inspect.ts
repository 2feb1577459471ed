/**
 * `bearerguard inspect <token | ->`: every check of the middleware on one token, each with pass or
 * fail, the reason and the fix, fetching keys as the middleware would; then the middleware's answer.
 */
import { createVerifier, type Diagnosis, type VerifierOptions } from "@bearerguard/core";
import { EXIT } from "../lib/exit-codes.js";
import { colourFor, formatLines, type Io, painter, readStdin, writeJson } from "../lib/output.js";
import { UsageError, type VerifierFlags, verifierOptions } from "../lib/verifier-options.js";

/** The flags of `inspect`. */
export interface InspectFlags extends VerifierFlags {
	permission?: string[];
	anyPermission?: string[];
	organizationId?: string;
	json?: boolean;
}

/** The token as pasted: whitespace, quotes, `Authorization:` and `Bearer ` taken off. */
export function cleanToken(input: string): string {
	let token = input.trim().replace(/^authorization:\s*/i, "");
	token = token.replace(/^bearer\s+/i, "").trim();
	if (token.length >= 2 && (token[0] === '"' || token[0] === "'") && token.at(-1) === token[0])
		token = token.slice(1, -1);
	return token;
}

function list(values: readonly string[] | undefined): string[] | undefined {
	return values?.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== "");
}

function summary(diagnosis: Diagnosis): string {
	const { header, claims } = diagnosis;
	if (header === undefined || claims === undefined) return "not decodable";
	const parts = [String(header.alg)];
	if (typeof header.kid === "string") parts.push(`kid ${header.kid}`);
	if (typeof claims.sub === "string") parts.push(`sub ${claims.sub}`);
	return parts.join(", ");
}

function print(io: Io, options: VerifierOptions, token: string, diagnosis: Diagnosis): void {
	const colour = colourFor(io);
	const paint = painter(colour);
	const show = (value: unknown) => (Array.isArray(value) ? value.join(", ") : String(value));
	const lines = [
		paint("bold", "bearerguard inspect"),
		`  issuer    ${show(options.issuer)}`,
		`  audience  ${show(options.audience)}`,
		`  token     ${token.length} characters: ${summary(diagnosis)}`,
		"",
		formatLines(diagnosis.checks, colour),
		"",
	];
	const { verdict } = diagnosis;
	lines.push(
		diagnosis.accepted
			? `${paint("green", "ACCEPTED")}  the middleware would let this request through`
			: `${paint("red", "REFUSED")}   ${verdict.status} ${verdict.error}: ${verdict.message} (reason ${verdict.reason})`,
		"",
	);
	io.stdout.write(lines.join("\n"));
}

/** Runs `inspect`; returns the exit code (0 accepted, 1 refused, 3 keys unavailable). */
export async function inspect(io: Io, input: string, flags: InspectFlags): Promise<number> {
	const raw = input === "-" ? await readStdin(io) : input;
	const token = cleanToken(raw);
	if (token === "") throw new UsageError("no token: pass it as the argument, or - to read it from stdin.");
	const options = verifierOptions(flags, io.env);
	let verifier: ReturnType<typeof createVerifier>;
	try {
		verifier = createVerifier(options);
	} catch (error) {
		throw new UsageError((error as Error).message.replace(/^bearerguard: /, ""));
	}
	const diagnosis = await verifier.diagnose(token, {
		permissions: list(flags.permission),
		anyPermission: list(flags.anyPermission),
		organization: flags.organizationId,
	});
	if (flags.json) {
		writeJson(io, {
			accepted: diagnosis.accepted,
			verdict: diagnosis.verdict,
			checks: diagnosis.checks,
			header: diagnosis.header ?? null,
			claims: diagnosis.claims ?? null,
		});
	} else {
		print(io, options, token, diagnosis);
	}
	if (diagnosis.accepted) return EXIT.ok;
	return diagnosis.verdict.status === 503 ? EXIT.unavailable : EXIT.failed;
}
