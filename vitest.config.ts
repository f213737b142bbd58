import { defineConfig } from "vitest/config"

const packages = ["core", "servicenow", "m365", "setup", "emulator", "cli"] as const

// Workspace packages resolve to their TypeScript sources (the `@sn365/source` export condition),
// so tests never run against a stale `dist/`.
const sourceConditions = ["@sn365/source", "node", "import", "default"]

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    // Most suites talk to the emulator over real HTTP; on a busy 2-core CI machine a full setup
    // can take several seconds. Speed is measured by `pnpm bench`, not by test timeouts.
    testTimeout: 30_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ["test/**/*.test.ts"],
          exclude: ["test/faults/**"],
        },
      })),
      // The fault matrix, crash-resume, canary, hostile-input, transport and privilege proofs
      // (issue 7): `pnpm test:faults`, excluded from `pnpm test` because it is slow.
      {
        extends: true as const,
        test: {
          name: "faults",
          root: "packages",
          include: ["*/test/faults/**/*.test.ts"],
          globalSetup: ["setup/test/faults/support/summary.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      { extends: true as const, test: { name: "specs", root: "specs", include: ["test/**/*.test.ts"] } },
      { extends: true as const, test: { name: "bench", root: "bench", include: ["test/**/*.test.ts"] } },
      {
        extends: true as const,
        test: { name: "examples", root: "examples", include: ["test/**/*.test.ts"] },
      },
    ],
    coverage: {
      provider: "v8",
      // With a --project filter (the `coverage` script excludes faults), vitest resolves these
      // globs against each project's root, without one against the workspace root: both forms.
      include: ["packages/*/src/**/*.ts", "src/**/*.ts"],
      exclude: ["packages/*/src/generated/**", "src/generated/**"],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 80, "packages/core/src/**": { lines: 90 } },
    },
  },
})
