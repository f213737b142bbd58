/**
 * Runs an example as a person would — its own Node process (the Node 24 running these tests), its
 * own environment — and collects what it printed.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"

/** What an example printed, and how it exited. */
export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const examplesDir = join(import.meta.dirname, "..")
const repoRoot = join(examplesDir, "..")

/** How to run a script. */
export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly args?: ReadonlyArray<string>
  readonly input?: string
  readonly cwd?: string
}

/**
 * Runs `examples/<script>`. The child sees none of this process's `SN365_*` variables — a
 * developer's real credentials must never reach a test — only the ones given in `env`.
 */
export const runExample = (script: string, options: RunOptions = {}): Promise<Run> =>
  runNode(join(examplesDir, script), { cwd: examplesDir, ...options })

/** Runs the `sn365` command from its sources, as `npx -y pnpm@12.4.2 sn365 …` does, in the repository root. */
export const runCli = (args: ReadonlyArray<string>, options: Omit<RunOptions, "args"> = {}): Promise<Run> =>
  runNode(join(repoRoot, "packages/cli/src/bin.ts"), { cwd: repoRoot, ...options, args })

const runNode = (file: string, options: RunOptions): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SN365_")))
    const child = spawn(process.execPath, ["--conditions=@sn365/source", file, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...env, ...options.env },
      stdio: "pipe",
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? "")
  })

/** Fails with everything the example printed, so a broken example explains itself. */
export const describeRun = (run: Run): string =>
  `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`
