/**
 * `@bearerguard/cli`: the `bearerguard` command (`inspect`, `jwks`, `api-key new`), and `run` to call
 * it from code.
 *
 * @packageDocumentation
 */
export { EXIT } from "./lib/exit-codes.js";
export type { Io } from "./lib/output.js";
export { run } from "./program.js";
