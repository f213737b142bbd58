/**
 * Run after `vitest run --coverage`: prints line coverage per package and fails when the report is
 * empty or leaves a package out. vitest passes its thresholds on an empty report ("Unknown% (0/0)"),
 * which is how a glob that matched nothing once went unnoticed.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative, sep } from "node:path"

interface Counts {
  readonly total: number
  readonly covered: number
}
type Summary = Record<string, { readonly lines: Counts }>

const root = join(import.meta.dirname, "..")
const summary = JSON.parse(readFileSync(join(root, "coverage", "coverage-summary.json"), "utf8")) as Summary

const byPackage = new Map<string, { total: number; covered: number }>()
for (const [file, { lines }] of Object.entries(summary)) {
  if (file === "total") continue
  const [top, name] = relative(root, file).split(sep)
  if (top !== "packages" || name === undefined) continue
  const counts = byPackage.get(name) ?? { total: 0, covered: 0 }
  counts.total += lines.total
  counts.covered += lines.covered
  byPackage.set(name, counts)
}

const problems: Array<string> = []
const total = summary.total?.lines
if (total === undefined || total.total === 0) problems.push("the coverage report counts no lines at all")
for (const name of readdirSync(join(root, "packages"))) {
  const counts = byPackage.get(name)
  if (counts === undefined || counts.total === 0) problems.push(`packages/${name} is missing from the report`)
  else
    console.log(
      `  ${name.padEnd(12)} ${((100 * counts.covered) / counts.total).toFixed(2)}% of ${counts.total} lines`,
    )
}
if (total !== undefined && total.total > 0)
  console.log(
    `  ${"all".padEnd(12)} ${((100 * total.covered) / total.total).toFixed(2)}% of ${total.total} lines`,
  )
if (problems.length > 0) {
  for (const problem of problems) console.error(`coverage check: ${problem}`)
  process.exit(1)
}
