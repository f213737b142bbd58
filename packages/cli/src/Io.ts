/**
 * Everything the CLI needs from its process — the two output streams and whether they are
 * terminals, the environment, the working directory and a way to ask a question — behind one
 * reference, so tests run the whole command in-process with a scripted terminal.
 *
 * @module
 */
import * as Context from "effect/Context"
import { oneAtATime } from "./internal/oneAtATime.ts"

/** The process as the CLI sees it. */
export interface Io {
  /** Writes to standard output: results and the `--json` document. */
  readonly stdout: (text: string) => void
  /** Writes to standard error: progress, warnings, prompts and errors. */
  readonly stderr: (text: string) => void
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  readonly stdinIsTTY: boolean
  /** Width of the terminal on standard error; 80 when unknown. */
  readonly columns: () => number
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Shows `question` on standard error and resolves with the answer, or `undefined` at end of input. */
  readonly ask: (question: string) => Promise<string | undefined>
}

const processIo = (): Io => ({
  stdout: (text) => {
    process.stdout.write(text)
  },
  stderr: (text) => {
    process.stderr.write(text)
  },
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  columns: () => process.stderr.columns || 80,
  env: process.env,
  cwd: process.cwd(),
  ask: (question) => askInTurn(question),
})

const askNow = async (question: string): Promise<string | undefined> => {
  const { createInterface } = await import("node:readline/promises")
  const rl = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: process.stdin.isTTY,
  })
  const closed = new Promise<undefined>((resolve) => rl.once("close", () => resolve(undefined)))
  // On a terminal, readline reads Ctrl-C as a key: passed on as the signal, it interrupts the run
  // (exit 130, "Interrupted") as it would anywhere else, rather than answering "no".
  rl.once("SIGINT", () => process.kill(process.pid, "SIGINT"))
  try {
    return await Promise.race([rl.question(question), closed])
  } finally {
    rl.close()
  }
}

// One question at a time: two readline interfaces on stdin would both take the same keystrokes.
const askInTurn = oneAtATime(askNow)

/**
 * The process the CLI talks to. Defaults to the real one; provide another to embed or test the CLI.
 *
 * @example
 * ```ts
 * run(["plan", "--json"]).pipe(Effect.provideService(Io, { ...myIo, env: { SN365_INSTANCE: "dev12345" } }))
 * ```
 */
export const Io = Context.Reference<Io>("@sn365/cli/Io", { defaultValue: processIo })
