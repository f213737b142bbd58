/**
 * The figures `pnpm test:faults` prints. Every test file adds to its own counters; they are written
 * to the directory the summary (see `summary.ts`) provides when the file ends, and the summary adds
 * them up after the run.
 */
import { randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, inject } from "vitest"

/** What the summary counts. */
export type Figure =
  | "faults"
  | "faultedRequests"
  | "crashPoints"
  | "teardownCrashPoints"
  | "duplicates"
  | "orphans"
  | "leaks"
  | "secretsScanned"
  | "hostile"

declare module "vitest" {
  export interface ProvidedContext {
    /** Directory the test files write their figures to (set by the faults summary). */
    faultsStatsDir: string
  }
}

const counts = new Map<Figure, number>()
let registered = false

/** The counters of this test file. */
export const stats = {
  add: (figure: Figure, n = 1) => {
    counts.set(figure, (counts.get(figure) ?? 0) + n)
  },
  get: (figure: Figure) => counts.get(figure) ?? 0,
}

/** Call once at the top of a test file: its figures are written when the file ends. */
export const reportFigures = () => {
  if (registered) return
  registered = true
  afterAll(() => {
    const dir = inject("faultsStatsDir")
    if (dir === undefined) return
    writeFileSync(join(dir, `${randomUUID()}.json`), JSON.stringify(Object.fromEntries(counts)))
  })
}
