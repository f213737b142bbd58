/**
 * The five operations — plan, apply, verify, teardown, discover — as the CLI runs them: load the
 * configuration, choose the output, wire progress, secrets, sign-in prompts and the emulator into
 * the setup's options, run, render, and exit with the documented code. Loaded only when one of
 * these commands runs, so `sn365 --help` does not pay for the setup and its clients.
 *
 * @module
 */
import { stat } from "node:fs/promises"
import { resolve } from "node:path"
import { type Fetch, routeFor, routingFetch } from "@sn365/core"
import type { Plan, SetupConfig, SetupOptions } from "@sn365/setup"
import * as Setup from "@sn365/setup"
import { VerificationFailed } from "@sn365/setup"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type ConfigSource, type FlagValues, loadConfig } from "./ConfigLoader.ts"
import {
  Cancelled,
  ExitCode,
  Exit as ExitWith,
  type FailureSummary,
  formatFailure,
  summarizeFailure,
  UsageError,
} from "./Errors.ts"
import { askYesNo, makeManualHandoff, showDeviceCode } from "./Handoff.ts"
import { Io } from "./Io.ts"
import {
  applyJson,
  discoveryJson,
  errorJson,
  type JsonCommand,
  OUTPUT_SCHEMA_VERSION,
  type OutputDocument,
  planJson,
  stringifyDocument,
  teardownJson,
  verifyJson,
} from "./Json.ts"
import { chooseOutput, type Output, type OutputFlags } from "./Output.ts"
import { makeProgressView, type ProgressView } from "./Progress.ts"
import { renderApply, renderDiscovery, renderTeardown, renderVerify } from "./Report.ts"
import { ENV } from "./Settings.ts"
import { VENDOR_HOST_PATTERNS } from "./vendor.ts"

/** The operations the CLI runs against the setup. */
export type OperationName = "plan" | "apply" | "verify" | "teardown" | "discover"

/** What an operation command was given. */
export interface OperationInput extends OutputFlags {
  readonly configPath?: string | undefined
  readonly settings: FlagValues
  readonly emulator?: string | undefined
  readonly secretsFile?: string | undefined
  /** `--yes`: apply and teardown do not ask for confirmation. */
  readonly yes: boolean
}

/** The routes that send every vendor host to the emulator at `origin`. */
export const emulatorRoutes = (origin: string): Record<string, string> =>
  Object.fromEntries(VENDOR_HOST_PATTERNS.map((pattern) => [pattern, origin]))

/** Checks an emulator URL and returns its origin. */
export const emulatorOrigin = (url: string, from: string): Effect.Effect<string, UsageError> => {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return Effect.succeed(parsed.origin)
  } catch {
    // reported below
  }
  return Effect.fail(
    new UsageError({
      message: `${from} must be the emulator's http(s) origin, such as http://127.0.0.1:4365 (got ${JSON.stringify(url)}).`,
      remedy: "Start one with `sn365 emulator` and use the URL it prints.",
    }),
  )
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** Where the secrets file's path came from, for messages. */
const secretsFrom = (input: OperationInput): string =>
  input.secretsFile === undefined ? ENV.secretsFile : "--secrets-file"

const isFolder = (path: string): Promise<boolean> =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  )

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  )

/** How long the emulator has to answer the first request of a run before it is called unreachable. */
const EMULATOR_PROBE_MS = 3000

/**
 * Fails with a usage error when the emulator's origin cannot be reached (refused, unresolved, a TLS
 * failure, no answer in time): without this check every request of the run would retry for half a
 * minute and then blame the vendor's host name. Any HTTP answer will do.
 */
const emulatorAnswers = (origin: string, from: string): Effect.Effect<void, UsageError> =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(origin, { signal: AbortSignal.timeout(EMULATOR_PROBE_MS) })
      await response.body?.cancel()
    },
    catch: (error) => {
      const code = (error as { cause?: { code?: string } }).cause?.code
      const why =
        (error as Error).name === "TimeoutError"
          ? `no answer in ${EMULATOR_PROBE_MS / 1000} s`
          : (code ?? "unreachable")
      return new UsageError({
        message: `Cannot reach the emulator at ${origin} (${from}): ${why}.`,
        remedy: `Start the emulator with \`sn365 emulator\` and use the URL it prints, or leave out ${from} to use the real services.`,
      })
    },
  })

/** Against the emulator, the network report's DNS lookup of the connector host is not made. */
const noLookup: Setup.Resolver = () =>
  Promise.reject(Object.assign(new Error("not looked up"), { code: "not looked up (emulator)" }))

/** Everything a run shares: output decisions, the progress view and the JSON document's parts. */
export interface RunContext {
  readonly io: Io
  readonly output: Output
  readonly view: ProgressView
  readonly warnings: Array<string>
  readonly document: { -readonly [K in keyof OutputDocument]?: OutputDocument[K] }
}

/** Starts a run: decides the output and makes the progress view. */
export const startRun = (io: Io, flags: OutputFlags): RunContext => {
  const output = chooseOutput(io, flags)
  return {
    io,
    output,
    view: makeProgressView(io, { style: output.progress, verbose: output.verbose, color: output.color }),
    warnings: [],
    document: {},
  }
}

/** Shows a warning now (text mode) and keeps it for the JSON document. */
export const warn = (run: RunContext, message: string): void => {
  run.warnings.push(message)
  if (!run.output.json || run.output.verbose) run.view.note(`warning: ${message}`)
}

/**
 * Ends a run: prints the JSON document when asked, and fails with the exit code when it is not 0.
 * `failure` is printed on standard error with its remedy (and, when it has one, its stack under
 * `--verbose`: only unexpected errors carry theirs).
 */
export const finishRun = (
  run: RunContext,
  command: JsonCommand,
  exitCode: ExitCode,
  failure?: { readonly summary: FailureSummary; readonly stack?: string | undefined },
): Effect.Effect<void, ExitWith> =>
  Effect.suspend(() => {
    run.view.close()
    if (failure !== undefined) {
      const text = formatFailure(failure.summary, run.output.verbose ? failure.stack : undefined)
      // A blank line sets the error apart from the progress above it.
      run.io.stderr(run.view.shown() ? `\n${text}` : text)
    }
    if (run.output.json) {
      const document: OutputDocument = {
        schemaVersion: OUTPUT_SCHEMA_VERSION,
        command,
        ok: exitCode === ExitCode.Ok,
        exitCode,
        warnings: run.warnings,
        ...run.document,
        ...(failure === undefined ? {} : { error: errorJson(failure.summary) }),
      }
      run.io.stdout(stringifyDocument(document))
    }
    return exitCode === ExitCode.Ok ? Effect.void : Effect.fail(new ExitWith({ code: exitCode }))
  })

/** Runs `effect`, turning any failure into its summary, exit code and report. Interruption passes through. */
export const reportFailures = <A, E>(
  run: RunContext,
  command: JsonCommand,
  effect: Effect.Effect<A, E>,
): Effect.Effect<A, ExitWith> =>
  effect.pipe(
    // On Ctrl-C too, leave the terminal as it was (the live list hides the cursor).
    Effect.onInterrupt(() => Effect.sync(() => run.view.close())),
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const error = Cause.squash(cause)
      if (error instanceof ExitWith) return Effect.fail(error)
      const summary = summarizeFailure(error)
      const isDefect = Cause.findErrorOption(cause)._tag === "None"
      // An expected failure's message and remedy say all there is: only a defect's stack helps.
      const unexpected = isDefect || summary.tag === "UnexpectedError"
      const stack = unexpected && error instanceof Error ? error.stack : undefined
      return finishRun(
        run,
        command,
        summary.exitCode,
        isDefect ? { summary: { ...summary, tag: "UnexpectedError" }, stack } : { summary, stack },
      ).pipe(Effect.andThen(Effect.fail(new ExitWith({ code: summary.exitCode }))))
    }),
  )

const describeSources = (sources: ReadonlyArray<ConfigSource>) =>
  sources.map((s) => `  ${s.setting.padEnd(34)} from ${s.from}`).join("\n")

/** Loads the configuration for an operation and reports its warnings and, with `--verbose`, its sources. */
export const configure = (run: RunContext, input: OperationInput) =>
  Effect.gen(function* () {
    const loaded = yield* loadConfig({
      configPath: input.configPath,
      flags: input.settings,
      env: run.io.env,
      cwd: run.io.cwd,
    })
    if (loaded.file !== undefined) run.document.configFile = loaded.file
    for (const warning of loaded.warnings) warn(run, warning)
    if (run.output.verbose && !run.output.json)
      run.view.note(
        `Configuration${loaded.file === undefined ? "" : ` (file ${loaded.file})`}:\n${describeSources(loaded.sources) || "  (defaults only)"}`,
      )
    return loaded.config
  })

/** The setup options for this run: fetch (emulator), progress, secrets, sign-in and hand-off prompts. */
export const setupOptions = (run: RunContext, input: OperationInput, config: SetupConfig) =>
  Effect.gen(function* () {
    const emulatorUrl = input.emulator ?? run.io.env[ENV.emulatorUrl]
    let fetch: Fetch | undefined
    if (emulatorUrl !== undefined && emulatorUrl !== "") {
      const origin = yield* emulatorOrigin(
        emulatorUrl,
        input.emulator === undefined ? ENV.emulatorUrl : "--emulator",
      )
      yield* emulatorAnswers(origin, input.emulator === undefined ? ENV.emulatorUrl : "--emulator")
      const routes = emulatorRoutes(origin)
      fetch = routingFetch(routes)
      run.document.emulator = origin
      const host = new URL(Setup.instanceOrigin(config)).hostname
      if (routeFor(routes, host) === undefined)
        warn(
          run,
          `The instance host ${host} is not a *.service-now.com name, so its requests will not reach the emulator.`,
        )
      if (!run.output.json && !run.output.quiet)
        run.view.note(`Using the emulator at ${origin} for every request.`)
    }
    const secretsPath = input.secretsFile ?? run.io.env[ENV.secretsFile]
    const secretsFile =
      secretsPath === undefined || secretsPath === "" ? undefined : resolve(run.io.cwd, secretsPath)
    if (secretsFile !== undefined && (yield* Effect.promise(() => isFolder(secretsFile))))
      return yield* new UsageError({
        message: `The secrets file ${secretsFile} (from ${secretsFrom(input)}) is a folder.`,
        remedy: "Name a file in it, such as .sn365-secrets.json.",
      })
    if (secretsFile !== undefined && (yield* Effect.promise(() => Setup.isSharedFile(secretsFile))))
      warn(run, `${secretsFile} can be read by other users; run: chmod 600 ${secretsFile}`)
    const options: SetupOptions & { secretsFile?: string } = {
      ...(fetch === undefined ? {} : { fetch, resolver: noLookup }),
      onEvent: run.view.onEvent,
      ...(secretsFile === undefined ? {} : { secrets: Setup.fileSecretStore(secretsFile) }),
      onDeviceCode: showDeviceCode(run.view),
      manualHandoff: makeManualHandoff({
        io: run.io,
        view: run.view,
        interactive: run.output.interactive,
        mayReveal: run.output.interactive && !run.output.json,
        ...(secretsFile === undefined ? {} : { secretsFile }),
      }),
    }
    return { options, secretsFile }
  })

/** Refuses to go on without `--yes` when nobody can be asked. */
const requireConsent = (run: RunContext, input: OperationInput, what: "apply" | "teardown") =>
  input.yes || run.output.interactive
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `${what} needs confirmation, and there is no interactive terminal to ask on.`,
          remedy:
            what === "apply"
              ? "Review `sn365 plan`, then run again with --yes."
              : "Run it on a terminal to be asked first, or again with --yes: it removes everything sn365 manages under the configured prefix.",
        }),
      )

/** Shows the plan and asks for confirmation (unless `--yes` or nothing would change). */
const confirmPlan =
  (run: RunContext, input: OperationInput) =>
  async (plan: Plan): Promise<boolean> => {
    const text = Setup.renderPlan(plan)
    if (!run.output.json) {
      if (!run.output.quiet || !input.yes) run.view.print(text)
    } else if (!input.yes) run.view.note(text)
    if (input.yes || !Setup.hasChanges(plan)) return true
    return run.view.suspend(() => askYesNo(run.io, "Apply these changes?"))
  }

const cancelled = new Cancelled({ message: "Cancelled; nothing was changed." })

/** Runs one operation end to end and exits with its code. */
export const runOperation = (
  command: OperationName,
  input: OperationInput,
): Effect.Effect<void, ExitWith, never> =>
  Effect.gen(function* () {
    const io = yield* Io
    const run = startRun(io, input)
    yield* reportFailures(
      run,
      command,
      Effect.gen(function* () {
        if (command === "apply") yield* requireConsent(run, input, "apply")
        if (command === "teardown") yield* requireConsent(run, input, "teardown")
        const config = yield* configure(run, input)
        const { options, secretsFile } = yield* setupOptions(run, input, config)
        const print = (text: string) => {
          if (!run.output.json) run.view.print(text)
        }
        switch (command) {
          case "plan": {
            const plan = yield* Setup.plan(config, options)
            run.document.plan = planJson(plan)
            print(Setup.renderPlan(plan))
            return ExitCode.Ok
          }
          case "apply": {
            let confirmed = true
            const confirm = confirmPlan(run, input)
            const result = yield* Setup.apply(config, {
              ...options,
              confirm: async (plan) => {
                confirmed = await confirm(plan)
                return confirmed
              },
            }).pipe(
              // Whatever the setup does once told to stop, for the user it is a cancellation.
              Effect.catchCause(
                (cause): Effect.Effect<never, Setup.SetupError | Cancelled> =>
                  confirmed ? Effect.failCause(cause) : Effect.fail(cancelled),
              ),
            )
            if (!confirmed) return yield* Effect.fail(cancelled)
            run.document.plan = planJson(result.plan)
            run.document.apply = applyJson(result, secretsFile)
            print(`\n${renderApply(result, secretsFile === undefined ? {} : { file: secretsFile })}`)
            return ExitCode.Ok
          }
          case "verify": {
            // A file named but missing is a mistyped path, not "no secrets kept": say so, do not skip.
            if (secretsFile !== undefined && !(yield* Effect.promise(() => isFile(secretsFile)))) {
              const named = secretsFrom(input)
              return yield* new UsageError({
                message: `The secrets file ${secretsFile} (from ${named}) does not exist, or is not a file.`,
                remedy: `Name the file \`sn365 apply --secrets-file\` wrote, or leave ${named} out to skip the checks that need its secrets.`,
              })
            }
            // A file that cannot be read (not JSON, no permission) is the same mistake, not a crash.
            const readable = yield* Effect.exit(options.secrets?.get("entraClientSecret") ?? Effect.void)
            if (Exit.isFailure(readable))
              return yield* new UsageError({
                message: messageOf(Cause.squash(readable.cause)),
                remedy: `Name the file \`sn365 apply --secrets-file\` wrote, or leave ${secretsFrom(input)} out to skip the checks that need its secrets.`,
              })
            const report = yield* Setup.verify(config, options)
            run.document.verify = verifyJson(report)
            print(renderVerify(report))
            if (report.ok) return ExitCode.Ok
            const failed = report.checks.filter((check) => check.status === "fail")
            return yield* new VerificationFailed({
              failed: failed.map((check) => ({ check: check.title, message: check.message ?? "failed" })),
            })
          }
          case "teardown": {
            if (!input.yes) {
              const question = `Remove everything sn365 manages (prefix "${config.integration.prefix}") from ${Setup.instanceOrigin(config)} and tenant ${config.entra.tenant}, secrets included?`
              if (!(yield* Effect.promise(() => run.view.suspend(() => askYesNo(io, question)))))
                return yield* Effect.fail(cancelled)
            }
            const report = yield* Setup.teardown(config, options)
            run.document.teardown = teardownJson(report)
            print(renderTeardown(report))
            return ExitCode.Ok
          }
          case "discover": {
            const report = yield* Setup.discover(config, options)
            run.document.discovery = discoveryJson(report)
            print(renderDiscovery(report))
            return ExitCode.Ok
          }
        }
      }).pipe(Effect.flatMap((code) => finishRun(run, command, code))),
    )
  })
