/**
 * Gives a workspace package the metadata every published package here has: `files` with README.md and
 * LICENSE, keywords, homepage, bugs, publishConfig. `node --import tsx scripts/package-meta.ts redis`.
 * Idempotent; writes the package.json back in key order, tab-indented as Biome keeps it.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

for (const name of process.argv.slice(2)) {
	const dir = join(ROOT, "packages", name);
	const file = join(dir, "package.json");
	const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
	const files = new Set([
		...((pkg.files as string[] | undefined) ?? ["dist", "src"]),
		"README.md",
		"LICENSE",
	]);
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(pkg)) {
		out[key] = key === "files" ? [...files] : value;
		if (key === "license") {
			out.keywords = pkg.keywords ?? ["oauth2", "jwt", "bearer", "resource-server", name];
			out.homepage = `https://github.com/bearerguard/bearerguard/tree/main/packages/${name}#readme`;
			out.bugs = { url: "https://github.com/bearerguard/bearerguard/issues" };
		}
		if (key === "sideEffects") out.publishConfig = { access: "public" };
	}
	writeFileSync(file, `${JSON.stringify(out, null, "\t")}\n`);
	if (!existsSync(join(dir, "LICENSE"))) copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
	console.log(`${name}: ${existsSync(join(dir, "README.md")) ? "README.md present" : "README.md MISSING"}`);
}
