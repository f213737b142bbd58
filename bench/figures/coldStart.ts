/**
 * Figure 6: cold start. A new Node process that imports one package (from its TypeScript sources,
 * as the workspace runs them), and `sn365 --help`, against `node -e 0` on the same Node. Medians
 * of fresh processes after one unmeasured start; a second, instrumented start lists the packages
 * each one loads, to show what is (not) loaded eagerly.
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Bench } from "../lib/host.ts"
import { median } from "../lib/stats.ts"

const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url))
const ROOT = fileURLToPath(new URL("../..", import.meta.url))
const LOADS_HOOK = fileURLToPath(new URL("../lib/loads.ts", import.meta.url))
const SOURCE = "--conditions=@sn365/source"

/** Packages whose loading is worth naming when it happens. */
const HEAVY = ["@azure/msal-node", "@sn365/emulator", "ajv", "@effect/platform-node", "openapi-fetch"]

interface Subject {
  readonly name: string
  readonly args: ReadonlyArray<string>
}

const SUBJECTS: ReadonlyArray<Subject> = [
  { name: "node -e 0", args: ["-e", "0"] },
  ...["core", "servicenow", "m365", "setup", "emulator", "cli"].map((pkg) => ({
    name: `import @sn365/${pkg}`,
    args: [SOURCE, "--input-type=module", "-e", `await import("@sn365/${pkg}")`],
  })),
  { name: "sn365 --help", args: [SOURCE, join(ROOT, "packages/cli/src/bin.ts"), "--help"] },
]

const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): number => {
  const started = performance.now()
  const result = spawnSync(process.execPath, [...args], { cwd: BENCH_DIR, env, stdio: "pipe" })
  const elapsed = performance.now() - started
  if (result.status !== 0)
    throw new Error(
      `${args.join(" ")} exited with ${result.status}: ${result.stderr.toString().slice(0, 500)}`,
    )
  return elapsed
}

/** The package a loaded module URL belongs to (`@sn365/<name>` for workspace sources). */
const packageOf = (url: string): string | undefined => {
  if (!url.startsWith("file:")) return undefined
  const path = fileURLToPath(url)
  const modules = path.lastIndexOf("/node_modules/")
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + "/node_modules/".length).split("/")
    return scope?.startsWith("@") ? `${scope}/${name}` : scope
  }
  const workspace = /\/packages\/([^/]+)\/src\//.exec(path)
  return workspace === null ? undefined : `@sn365/${workspace[1]}`
}

const loadsOf = (args: ReadonlyArray<string>) => {
  const dir = mkdtempSync(join(tmpdir(), "sn365-bench-"))
  try {
    const file = join(dir, "loads.json")
    start(["--import", LOADS_HOOK, ...args], { ...process.env, SN365_BENCH_LOADS: file })
    const urls = JSON.parse(readFileSync(file, "utf8")) as Array<string>
    const packages = new Set(urls.map(packageOf).filter((name): name is string => name !== undefined))
    return { modules: urls.length, heavy: HEAVY.filter((name) => packages.has(name)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One subject's numbers. */
export interface StartFigures {
  readonly name: string
  readonly samplesMs: ReadonlyArray<number>
  readonly medianMs: number
  /** Its median ÷ `node -e 0`'s. */
  readonly vsNode: number
  /** Modules loaded (ESM and CommonJS). */
  readonly modules: number
  /** Which of the heavy dependencies it loaded. */
  readonly heavy: ReadonlyArray<string>
}

/** Runs figure 6. */
export const coldStartFigures = async (bench: Bench): Promise<ReadonlyArray<StartFigures>> => {
  const samples = new Map<string, Array<number>>(SUBJECTS.map((subject) => [subject.name, []]))
  for (const subject of SUBJECTS) start(subject.args)
  // Interleave the subjects, so drift on a shared machine hits them alike.
  for (let run = 0; run < bench.runs; run++) {
    bench.log(`cold start: run ${run + 1}/${bench.runs}`)
    for (const subject of SUBJECTS) samples.get(subject.name)?.push(start(subject.args))
  }
  const node = median(samples.get("node -e 0") ?? [])
  return SUBJECTS.map((subject) => {
    const values = samples.get(subject.name) ?? []
    const loads = loadsOf(subject.args)
    return {
      name: subject.name,
      samplesMs: values,
      medianMs: median(values),
      vsNode: median(values) / node,
      ...loads,
    }
  })
}
