/**
 * Runs `sn365` in-process with a scripted terminal (`runCli`) or as a child process on the same
 * Node (`spawnCli`), and validates `--json` documents against the published schema.
 */
import { spawn } from "node:child_process"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Effect } from "effect"
import { run } from "../src/Cli.ts"
import { Io } from "../src/Io.ts"

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** Questions asked on the terminal, in order. */
  readonly questions: ReadonlyArray<string>
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>
  readonly cwd?: string
  /** Which streams are terminals. Default: none (a pipe, like CI). */
  readonly tty?: { readonly stdout?: boolean; readonly stderr?: boolean; readonly stdin?: boolean }
  /** Answers to questions, in order; `undefined` after the last (end of input). */
  readonly answers?: ReadonlyArray<string>
  readonly columns?: number
  /** Called with everything written to stderr, as it is written. */
  readonly onStderr?: (text: string) => void
}

/** Runs the CLI in-process and captures everything it writes. */
export const runCli = async (args: ReadonlyArray<string>, options: CliOptions = {}): Promise<CliResult> => {
  let stdout = ""
  let stderr = ""
  const questions: Array<string> = []
  const answers = [...(options.answers ?? [])]
  const io: Io = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
      options.onStderr?.(text)
    },
    stdoutIsTTY: options.tty?.stdout ?? false,
    stderrIsTTY: options.tty?.stderr ?? false,
    stdinIsTTY: options.tty?.stdin ?? false,
    columns: () => options.columns ?? 100,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ask: async (question) => {
      questions.push(question)
      stderr += question
      return answers.shift()
    },
  }
  const code = await Effect.runPromise(
    run(args).pipe(Effect.provideService(Io, io), Effect.provide(NodeServices.layer)),
  )
  return { code, stdout, stderr, questions }
}

const bin = join(import.meta.dirname, "..", "src", "bin.ts")

/** Runs `sn365` as a child process on this Node (24, which strips types), from the sources. */
export const spawnCli = (
  args: ReadonlyArray<string>,
  options: {
    readonly env?: Record<string, string>
    readonly cwd?: string
    readonly input?: string
    /** Sends SIGINT (Ctrl-C) once standard error or output contains this text. */
    readonly interruptOn?: string
  } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@sn365/source", bin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      // A clean environment: nothing of the developer's SN365_* or CI settings leaks in.
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    let interrupted = false
    const interruptOnce = () => {
      if (interrupted || options.interruptOn === undefined) return
      if (!(stdout + stderr).includes(options.interruptOn)) return
      interrupted = true
      child.kill("SIGINT")
    }
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      interruptOnce()
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
      interruptOnce()
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(options.input ?? "")
  })

/** A fresh temporary directory. */
export const tempDir = () => mkdtemp(join(tmpdir(), "sn365-cli-"))

const schemaPath = join(import.meta.dirname, "..", "schema", "output.schema.json")
let validator: ((value: unknown) => boolean) & { errors?: unknown } = undefined as never

/** Validates a `--json` document against `schema/output.schema.json`; returns the errors, if any. */
export const schemaErrors = async (document: unknown): Promise<unknown> => {
  if (validator === undefined) {
    const schema = JSON.parse(await readFile(schemaPath, "utf8"))
    validator = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema)
  }
  return validator(document) ? undefined : validator.errors
}

/** A complete, valid configuration (as a file would hold it, without secrets). */
export const configFile = {
  variant: "basic",
  servicenow: { instance: "dev12345", auth: { type: "basic", username: "sn365_setup" } },
  entra: {
    tenant: "contoso.onmicrosoft.com",
    auth: { type: "clientSecret", clientId: "11111111-2222-4333-8444-555555555555" },
  },
  integration: { m365AdminEmail: "admin@contoso.onmicrosoft.com" },
}

/** Canary secrets: if one of these appears in any output, a secret leaked. */
export const CANARY = {
  servicenowPassword: "canary-sn-password-7f3a",
  entraClientSecret: "canary-entra-secret-91bc",
  entraPrivateKey: "-----BEGIN PRIVATE KEY-----canary-key-5d2e-----END PRIVATE KEY-----",
  servicenowToken: "canary-sn-token-0a7d",
  servicenowClientSecret: "canary-sn-client-secret-c4e1",
} as const

/** The environment that carries the canary secrets. */
export const secretEnv = {
  SN365_SERVICENOW_PASSWORD: CANARY.servicenowPassword,
  SN365_ENTRA_CLIENT_SECRET: CANARY.entraClientSecret,
}
