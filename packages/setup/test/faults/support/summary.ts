/**
 * Global setup of the `faults` vitest project: gives the test files a directory for their figures
 * and, when the run ends, prints the totals — the figures `pnpm test:faults` promises.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "sn365-faults-"))
  project.provide("faultsStatsDir", dir)
  return () => {
    const totals: Record<string, number> = {}
    for (const file of readdirSync(dir))
      for (const [key, value] of Object.entries(JSON.parse(readFileSync(join(dir, file), "utf8")) as object))
        totals[key] = (totals[key] ?? 0) + Number(value)
    rmSync(dir, { recursive: true, force: true })
    const n = (key: string) => totals[key] ?? 0
    console.log(
      [
        "",
        "sn365 fault matrix",
        `  faults tried:          ${n("faults")} scenarios, ${n("faultedRequests")} requests faulted`,
        `  crash points tried:    ${n("crashPoints")} (apply), ${n("teardownCrashPoints")} (teardown)`,
        `  duplicates found:      ${n("duplicates")} (orphans: ${n("orphans")})`,
        `  secrets leaked:        ${n("leaks")} (${n("secretsScanned")} outputs scanned)`,
        `  hostile inputs tried:  ${n("hostile")}`,
        "",
      ].join("\n"),
    )
  }
}
