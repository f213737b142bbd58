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

/**
 * Runs `examples/<script>`. The child sees none of this process's `SN365_*` variables — a
 * developer's real credentials must never reach a test — only the ones given in `env`.
 */
export const runExample = (
  script: string,
  options: {
    readonly env?: Readonly<Record<string, string>>
    readonly args?: ReadonlyArray<string>
    readonly input?: string
    readonly cwd?: string
  } = {},
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("SN365_")))
    const child = spawn(
      process.execPath,
      ["--conditions=@sn365/source", join(examplesDir, script), ...(options.args ?? [])],
      { cwd: options.cwd ?? examplesDir, env: { ...env, ...options.env }, stdio: "pipe" },
    )
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
