import { defineConfig } from "vitest/config";

export default defineConfig({
	resolve: {
		// Workspace packages resolve to their TypeScript sources in tests (the "source" export condition).
		conditions: ["source"],
	},
	ssr: {
		resolve: {
			conditions: ["source"],
			externalConditions: ["source"],
		},
	},
	test: {
		include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/test/**/*.test.ts"],
		testTimeout: 20_000,
		hookTimeout: 20_000,
		pool: "forks",
		typecheck: {
			enabled: true,
			include: ["packages/*/test/**/*.test-d.ts", "test/**/*.test-d.ts"],
			tsconfig: "./tsconfig.json",
		},
	},
});
