#!/usr/bin/env node
/** The `bearerguard` executable: `bearerguard --help`. */
import { run } from "./program.js";

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
	if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
	throw error;
});
process.exitCode = await run(process.argv.slice(2), process);
