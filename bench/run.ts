/**
 * `pnpm bench`: sn365 against the physical limits of the procedure, on the emulator with injected
 * latency. Every figure is a ratio of two times measured in the same run (absolute times on a
 * shared machine are noise); each is the median of several runs after unmeasured warm-ups.
 *
 *     pnpm bench [--latency 50] [--runs 5] [--only setup,grants,listing,overhead,coldstart] [--out .bench/results.json]
 *
 * The emulator runs in this process; the client runs in worker processes (`lib/worker.ts`), so
 * neither one's CPU is billed to the other. Prints a table of figures with their targets and writes
 * every sample to JSON.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises"
import { availableParallelism, cpus } from "node:os"
import { dirname, resolve } from "node:path"
import { parseArgs } from "node:util"
import { coldStartFigures } from "./figures/coldStart.ts"
import { grantFigures } from "./figures/grants.ts"
import { listingFigures } from "./figures/listing.ts"
import { overheadFigures } from "./figures/overhead.ts"
import { setupFigures } from "./figures/setup.ts"
import { type Bench, startBenchEmulator, startWorker } from "./lib/host.ts"
import { renderReport } from "./lib/report.ts"

const FIGURES = ["setup", "grants", "listing", "overhead", "coldstart"] as const
type FigureName = (typeof FIGURES)[number]

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    latency: { type: "string", default: process.env.SN365_BENCH_LATENCY_MS ?? "50" },
    runs: { type: "string", default: process.env.SN365_BENCH_RUNS ?? "5" },
    warmups: { type: "string", default: "2" },
    only: { type: "string", default: FIGURES.join(",") },
    out: { type: "string", default: ".bench/results.json" },
    help: { type: "boolean", short: "h", default: false },
  },
})

if (values.help) {
  process.stdout.write(
    "pnpm bench [--latency ms] [--runs n] [--warmups n] [--only setup,grants,listing,overhead,coldstart] [--out file]\n" +
      "  latency: injected per request (default 50, env SN365_BENCH_LATENCY_MS)\n" +
      "  runs: measured repetitions per figure, medians reported (default 5, env SN365_BENCH_RUNS)\n",
  )
  process.exit(0)
}

const latencyMs = Number(values.latency)
const runs = Math.max(1, Number(values.runs))
const warmups = Math.max(0, Number(values.warmups))
const only = new Set(values.only.split(",").map((name) => name.trim()) as Array<FigureName>)
for (const name of only) if (!FIGURES.includes(name)) throw new Error(`unknown figure '${name}'`)

const log = (line: string) => process.stderr.write(`  ${line}\n`)
const emulator = await startBenchEmulator(latencyMs)
const bench: Bench = {
  emulator,
  latencyMs,
  runs,
  warmups,
  worker: (options) => startWorker(emulator, options),
  log,
}
const started = Date.now()
try {
  const results = {
    setup: only.has("setup") ? await setupFigures(bench) : undefined,
    grants: only.has("grants") ? await grantFigures(bench) : undefined,
    listing: only.has("listing") ? await listingFigures(bench) : undefined,
    overhead: only.has("overhead") ? await overheadFigures(bench) : undefined,
    coldStart: only.has("coldstart") ? await coldStartFigures(bench) : undefined,
  }
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    latencyMs,
    runs,
    warmups,
    durationS: Math.round((Date.now() - started) / 1000),
  }
  const report = renderReport(environment, results)
  process.stdout.write(`${report.text}\n`)
  const out = resolve(values.out)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, `${JSON.stringify({ environment, figures: report.figures, results }, null, 2)}\n`)
  process.stdout.write(`\nAll samples: ${values.out}\n`)
} finally {
  await emulator.close()
}
