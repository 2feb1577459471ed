/**
 * Where a server spends its CPU under load:
 * `node --import tsx bench/profile.ts [framework] [variant] [repeated|pool] [seconds]`
 * (default: express bearerguard repeated 5). Loads the server like http.ts does, profiles its CPU
 * during the measured run only (after start-up and warm-up), then prints the functions with the most
 * self time, and self time per package.
 * The profile is kept in bench/results/profiles/ (open it in Chrome DevTools for the full picture).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestIssuer } from "@bearerguard/testing";
import { checkServer, mintTokens, serverEnvironment } from "./http.js";
import { runLoad, type TokenMode } from "./lib/load.js";
import { startServer } from "./lib/servers.js";
import { formatCount, markdownTable } from "./lib/table.js";
import { ROUTE } from "./servers/shared.js";
import { FRAMEWORKS, type Framework, isVariant } from "./servers/variants.js";

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

const TOP = 25;

/** `node_modules/.pnpm/<name>@<version>/...` → `<name>`; our packages, Node internals and the rest by kind. */
function packageOf(url: string): string {
	if (url === "") return "(native / V8)";
	if (url.startsWith("node:")) return "node: internals";
	const store = /node_modules\/\.pnpm\/((?:@[^/+]+\+)?[^@/]+)@/.exec(url);
	if (store) return (store[1] as string).replace("+", "/");
	const ours = /\/packages\/([^/]+)\//.exec(url);
	if (ours) return `@bearerguard/${ours[1]}`;
	return url.includes("/bench/") ? "bench (server)" : url;
}

function location(url: string, line: number): string {
	if (url === "") return "";
	const short = url
		.replace(/^file:\/\/.*?node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
		.replace(/^file:\/\/.*\/packages\//, "");
	return `${short}:${line + 1}`;
}

/** Self time (samples) by function and by package, as percentages of the non-idle samples. */
export function summarizeProfile(profile: { nodes: ProfileNode[] }): string {
	const byFunction = new Map<string, number>();
	const byPackage = new Map<string, number>();
	let busy = 0;
	let idle = 0;
	for (const node of profile.nodes) {
		const hits = node.hitCount ?? 0;
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === "(idle)") {
			idle += hits;
			continue;
		}
		busy += hits;
		const name = `${functionName || "(anonymous)"} ${location(url, lineNumber)}`.trim();
		byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
		const owner = functionName.startsWith("(") ? functionName : packageOf(url);
		byPackage.set(owner, (byPackage.get(owner) ?? 0) + hits);
	}
	const percent = (hits: number) => `${((hits * 100) / busy).toFixed(1)}%`;
	const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
	return [
		`${formatCount(busy)} busy samples, ${formatCount(idle)} idle (${((idle * 100) / (busy + idle)).toFixed(1)}% idle)\n`,
		markdownTable(
			["self time by package", "% of busy"],
			sorted(byPackage).map(([name, hits]) => [name, percent(hits)]),
		),
		"",
		markdownTable(
			[`top ${TOP} functions by self time`, "% of busy"],
			sorted(byFunction)
				.slice(0, TOP)
				.map(([name, hits]) => [name, percent(hits)]),
		),
	].join("\n");
}

async function main(): Promise<void> {
	const [framework = "express", variant = "bearerguard", mode = "repeated", seconds = "5"] =
		process.argv.slice(2);
	if (!FRAMEWORKS.includes(framework as Framework) || !isVariant(framework as Framework, variant)) {
		throw new Error(`usage: profile.ts <${FRAMEWORKS.join("|")}> <variant> [repeated|pool] [seconds]`);
	}
	if (mode !== "repeated" && mode !== "pool") throw new Error("profile.ts: mode is repeated or pool");
	const directory = join(dirname(fileURLToPath(import.meta.url)), "results", "profiles");
	await mkdir(directory, { recursive: true });
	const file = join(
		directory,
		`${`${framework}-${variant}-${mode}`.replace(/[^A-Za-z0-9-]+/g, "_")}.cpuprofile`,
	);
	await rm(file, { force: true });

	const issuer = await createTestIssuer();
	try {
		const tokens = await mintTokens(issuer, mode === "pool" ? 20_000 : 1);
		const server = await startServer(framework, variant, {
			...serverEnvironment(issuer),
			BENCH_CPU_PROFILE: file,
		});
		try {
			await checkServer(server, variant, tokens);
			const url = `http://127.0.0.1:${server.port}${ROUTE}`;
			await runLoad(url, tokens, mode as TokenMode, 1);
			server.startProfile();
			const result = await runLoad(url, tokens, mode as TokenMode, Number(seconds));
			console.log(
				`# CPU profile of ${framework} ${variant}, ${mode} token(s): ${formatCount(result.requestsPerSec)} req/s, p99 ${result.p99Ms} ms (profiling on)\n`,
			);
		} finally {
			await server.stop();
		}
	} finally {
		await issuer.close();
	}
	console.log(summarizeProfile(JSON.parse(await readFile(file, "utf8")) as { nodes: ProfileNode[] }));
	console.log(`\nProfile: ${file}`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
