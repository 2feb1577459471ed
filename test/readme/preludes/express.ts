// Prelude for README fragments about Express: the app and handlers the fragment uses but does not define.
// biome-ignore-all lint/correctness/noUnusedImports: the fragment after this prelude uses them
// biome-ignore-all lint/correctness/noUnusedVariables: the fragment after this prelude uses them
import { requireAuth, requirePermissions } from "@bearerguard/express";
import express, { type RequestHandler } from "express";

const app = express();
declare const create: RequestHandler;
declare const remove: RequestHandler;
