// Prelude for README fragments that import bearerguard themselves: an Express app and a logger.
// biome-ignore-all lint/correctness/noUnusedVariables: the fragment after this prelude uses them
import express from "express";

const app = express();
declare const log: { info(fields: Record<string, unknown>): void };
