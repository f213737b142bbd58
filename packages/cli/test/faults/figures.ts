/**
 * The figures this package's fault tests add to the `pnpm test:faults` summary (written where the
 * summary in `packages/setup/test/faults/support/summary.ts` reads them).
 */
import { randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, inject } from "vitest"

declare module "vitest" {
  export interface ProvidedContext {
    faultsStatsDir: string
  }
}

const counts: Record<string, number> = {}

/** Adds to a figure of the summary (`faults`, `leaks`, `secretsScanned`…). */
export const addFigure = (figure: string, n = 1) => {
  counts[figure] = (counts[figure] ?? 0) + n
}

afterAll(() => {
  const dir = inject("faultsStatsDir")
  if (dir !== undefined) writeFileSync(join(dir, `${randomUUID()}.json`), JSON.stringify(counts))
})
