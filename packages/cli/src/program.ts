/**
 * The `bearerguard` command line: `inspect`, `jwks`, `api-key new`. `run(argv, io)` parses the
 * arguments, runs one command and resolves its exit code (see `lib/exit-codes.ts`).
 */
import { Command, CommanderError, Option } from "commander";
import { apiKeyNew } from "./commands/api-key.js";
import { type InspectFlags, inspect } from "./commands/inspect.js";
import { type JwksFlags, jwks } from "./commands/jwks.js";
import { EXIT } from "./lib/exit-codes.js";
import type { Io } from "./lib/output.js";
import { UsageError } from "./lib/verifier-options.js";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const EXIT_HELP = `
Exit codes:
  0  every check passed (the token would be accepted, the keys are fine)
  1  a check failed (the token would be refused, the keys have a problem)
  2  usage or configuration error
  3  the issuer could not be reached (keys unavailable)`;

const ENVIRONMENT_HELP = `
Options not given come from BEARERGUARD_ISSUER, BEARERGUARD_AUDIENCE, BEARERGUARD_JWKS_URI,
BEARERGUARD_SECRET, BEARERGUARD_ALGORITHMS, BEARERGUARD_CLOCK_TOLERANCE, as for the middleware.`;

function program(io: Io, exit: { code: number }): Command {
	const root = new Command("bearerguard")
		.description("Why a token is refused, what is wrong with an issuer's keys, and new API keys.")
		.showHelpAfterError()
		.addHelpText("after", EXIT_HELP)
		.exitOverride()
		.configureOutput({
			writeOut: (text) => io.stdout.write(text),
			writeErr: (text) => io.stderr.write(text),
		});
	root
		.command("inspect")
		.description("run every check of the middleware on a token, with the reason and the fix of each failure")
		.argument(
			"<token>",
			"the token (a pasted `Bearer ...` or `Authorization: ...` is fine), or - to read stdin",
		)
		.option("--issuer <url>", "accepted iss (repeat, or comma separated)", collect)
		.option("--audience <value>", "accepted aud (repeat, or comma separated)", collect)
		.option("--jwks-uri <url>", "the JWKS URL (default: discovered from the issuer)")
		.option(
			"--secret <secret>",
			"HS256 shared secret (prefer BEARERGUARD_SECRET: flags end up in shell history)",
		)
		.option("--algorithms <list>", "allowed algorithms, comma separated")
		.option("--clock-tolerance <duration>", "leeway for exp, nbf, iat (seconds or '10s')")
		.option("--max-token-age <duration>", "refuse tokens whose iat is older")
		.option("--typ <typ>", "required typ header, e.g. at+jwt")
		.option("--no-require-expiry", "accept tokens without exp")
		.option("--organization [claim]", "check the organization claim (default org_id)")
		.option("--organization-id <id>", "the request's organization header value, to compare")
		.option("--permission <name>", "a permission the route requires (repeat)", collect)
		.option("--any-permission <name>", "one of these permissions is required (repeat)", collect)
		.option("--timeout <duration>", "timeout of each key fetch (default 5 s)")
		.option("--json", "print one JSON document")
		.addHelpText("after", `${ENVIRONMENT_HELP}\n${EXIT_HELP}`)
		.action(async (token: string, flags: InspectFlags) => {
			exit.code = await inspect(io, token, flags);
		});
	root
		.command("jwks")
		.description("check an issuer's discovery and keys: status, redirects, size, cache headers, and each key")
		.argument("<issuer>", "the issuer URL")
		.option("--jwks-uri <url>", "check this JWKS URL instead of discovering it")
		.option("--timeout <duration>", "timeout of each fetch (default 5 s)")
		.option("--strict", "warnings (no Cache-Control, a key without kid, use: enc, ...) fail too")
		.option("--json", "print one JSON document")
		.addHelpText("after", EXIT_HELP)
		.action(async (issuer: string, flags: JwksFlags) => {
			exit.code = await jwks(io, issuer, flags);
		});
	const apiKey = root.command("api-key").description("API keys");
	apiKey
		.command("new")
		.description("print a new API key and the SHA-256 hash to store")
		.addOption(new Option("--json", "print one JSON document"))
		.action((flags: { json?: boolean }) => {
			exit.code = apiKeyNew(io, flags);
		});
	return root;
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), process)
 * ```
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
	const exit = { code: EXIT.ok as number };
	try {
		await program(io, exit).parseAsync([...argv], { from: "user" });
		return exit.code;
	} catch (error) {
		if (error instanceof CommanderError) {
			const help =
				error.code === "commander.helpDisplayed" ||
				error.code === "commander.version" ||
				error.code === "commander.help";
			return help ? EXIT.ok : EXIT.usage;
		}
		// Options the core refuses are a TypeError whose message starts with "bearerguard:".
		const refused = error instanceof TypeError && error.message.startsWith("bearerguard:");
		if (error instanceof UsageError || refused) {
			io.stderr.write(`bearerguard: ${error.message.replace(/^bearerguard: /, "")}\n`);
			return EXIT.usage;
		}
		throw error;
	}
}
