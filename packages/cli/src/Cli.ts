/**
 * The `sn365` command tree (effect/cli) and {@link run}, which runs it on an argument list and
 * returns the exit code. Only the command definitions load at start; each command imports what
 * it needs when it runs, so `sn365 --help` stays fast. (Effect modules are imported by path, not
 * from the `effect` barrel, for the same reason.)
 *
 * @module
 */
import { createRequire } from "node:module"
import { format } from "node:util"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import { CliConfig, CliError, CliOutput, Command, Flag, GlobalFlag } from "effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ExitCode, Exit as ExitWith, formatFailure, summarizeFailure } from "./Errors.ts"
import { Io } from "./Io.ts"
import { type JsonCommand, OUTPUT_SCHEMA_VERSION, type OutputDocument } from "./Json.ts"
import { ENV, SETTINGS, type Setting } from "./Settings.ts"
import { DEFAULT_EMULATOR_PORT, DEFAULT_EMULATOR_SEED, DEFAULT_INIT_FILE } from "./vendor.ts"

/** The CLI's version (its package.json's, from `src/` and `dist/` alike), shown by `--version`. */
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string })
  .version

const settingFlag = (setting: Setting & { readonly flag: string }) => {
  const base =
    setting.type === "boolean"
      ? Flag.Boolean(setting.flag)
      : setting.choices !== undefined
        ? Flag.Literals(setting.flag, setting.choices)
        : Flag.String(setting.flag)
  return (base as Flag.Flag<string | boolean>).pipe(
    Flag.withDescription(`${setting.description} (env ${setting.env})`),
    Flag.optional,
  )
}

const settingFlags = Object.fromEntries(
  SETTINGS.flatMap((s) => (s.flag === undefined ? [] : [[s.flag, settingFlag({ ...s, flag: s.flag })]])),
) as Record<string, Flag.Flag<Option.Option<string | boolean>>>

const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Print one JSON document on standard output (schema: schema/output.schema.json)"),
  Flag.withDefault(false),
)
const quiet = Flag.Boolean("quiet").pipe(
  Flag.withAlias("q"),
  Flag.withDescription("No progress; only the result, warnings and errors"),
  Flag.withDefault(false),
)
const verbose = Flag.Boolean("verbose").pipe(
  Flag.withDescription("More detail: where each setting came from, full error messages and stacks"),
  Flag.withDefault(false),
)

const operationFlags = {
  config: Flag.String("config").pipe(
    Flag.withAlias("c"),
    Flag.withDescription(
      `Config file, YAML or JSON (env ${ENV.config}; default: sn365.config.json, .yaml or .yml in the current directory)`,
    ),
    Flag.optional,
  ),
  settings: settingFlags,
  emulator: Flag.String("emulator").pipe(
    Flag.withDescription(`Send every request to the emulator at this origin (env ${ENV.emulatorUrl})`),
    Flag.optional,
  ),
  secretsFile: Flag.String("secrets-file").pipe(
    Flag.withDescription(
      `Keep generated secrets in this JSON file, mode 0600, for a later verify (env ${ENV.secretsFile})`,
    ),
    Flag.optional,
  ),
  json,
  quiet,
  verbose,
}

const yes = Flag.Boolean("yes").pipe(
  Flag.withAlias("y"),
  Flag.withDescription("Do not ask for confirmation (required without an interactive terminal)"),
  Flag.withDefault(false),
)

type OperationFlagValues = Command.Command.Config.Infer<typeof operationFlags>

const toOperationInput = (input: OperationFlagValues, yesFlag: boolean) => ({
  configPath: Option.getOrUndefined(input.config),
  settings: Object.fromEntries(
    Object.entries(input.settings).flatMap(([name, value]) =>
      Option.isSome(value) ? [[name, value.value]] : [],
    ),
  ),
  emulator: Option.getOrUndefined(input.emulator),
  secretsFile: Option.getOrUndefined(input.secretsFile),
  json: input.json,
  quiet: input.quiet,
  verbose: input.verbose,
  yes: yesFlag,
})

const operations = () => Effect.promise(() => import("./Operations.ts"))

const planCommand = Command.make("plan", operationFlags, (input) =>
  Effect.flatMap(operations(), (m) => m.runOperation("plan", toOperationInput(input, false))),
).pipe(
  Command.withDescription(
    "Compare the configuration with what exists on both sides and show what apply would do. Changes nothing.",
  ),
  Command.withExamples([
    { command: "sn365 plan", description: "Plan with sn365.config.yaml and secrets from the environment" },
    { command: "sn365 plan --json > plan.json", description: "The plan as JSON" },
  ]),
)

const applyCommand = Command.make("apply", { ...operationFlags, yes }, (input) =>
  Effect.flatMap(operations(), (m) => m.runOperation("apply", toOperationInput(input, input.yes))),
).pipe(
  Command.withDescription(
    "Show the plan, ask for confirmation, then bring Entra, ServiceNow and the admin center to the configured state. Safe to re-run.",
  ),
  Command.withExamples([
    { command: "sn365 apply", description: "Review the plan and confirm" },
    {
      command: "sn365 apply --yes --secrets-file .sn365-secrets.json",
      description: "Unattended, keeping generated secrets for verify",
    },
  ]),
)

const verifyCommand = Command.make("verify", operationFlags, (input) =>
  Effect.flatMap(operations(), (m) => m.runOperation("verify", toOperationInput(input, false))),
).pipe(
  Command.withDescription(
    "Check that the integration works: tokens on both sides, roles, cross-scope access, the admin-center repository. Exit code 3 when a check fails.",
  ),
)

const teardownCommand = Command.make("teardown", { ...operationFlags, yes }, (input) =>
  Effect.flatMap(operations(), (m) => m.runOperation("teardown", toOperationInput(input, input.yes))),
).pipe(Command.withDescription("Remove everything sn365 manages, secrets included, after confirmation."))

const discoverCommand = Command.make("discover", operationFlags, (input) =>
  Effect.flatMap(operations(), (m) => m.runOperation("discover", toOperationInput(input, false))),
).pipe(
  Command.withDescription(
    "List the scoped app's version, tables and x_mioms_m365_assis properties on the instance.",
  ),
)

const emulatorModule = () => Effect.promise(() => import("./EmulatorCommand.ts"))
const demoModule = () => Effect.promise(() => import("./Demo.ts"))
const initModule = () => Effect.promise(() => import("./Init.ts"))

const emulatorCommand = Command.make(
  "emulator",
  {
    port: Flag.Int("port").pipe(
      Flag.withDescription(`Port to listen on (0: any free port)`),
      Flag.withDefault(DEFAULT_EMULATOR_PORT),
    ),
    host: Flag.String("host").pipe(
      Flag.withDescription("Interface to listen on"),
      Flag.withDefault("127.0.0.1"),
    ),
    seed: Flag.Int("seed").pipe(
      Flag.withDescription("Seed of every generated id and fault"),
      Flag.withDefault(DEFAULT_EMULATOR_SEED),
    ),
    latency: Flag.Int("latency").pipe(
      Flag.withDescription("Milliseconds added to every request"),
      Flag.withDefault(0),
    ),
  },
  (input) => Effect.flatMap(emulatorModule(), (m) => m.runEmulator(input)),
).pipe(
  Command.withDescription(
    "Start the emulator of ServiceNow, Entra ID, Microsoft Graph and the (modeled) admin center, and print how to point sn365 at it. Runs until Ctrl-C.",
  ),
)

const demoCommand = Command.make(
  "demo",
  {
    seed: Flag.Int("seed").pipe(
      Flag.withDescription("Seed of the emulator"),
      Flag.withDefault(DEFAULT_EMULATOR_SEED),
    ),
    latency: Flag.Int("latency").pipe(
      Flag.withDescription("Milliseconds the emulator adds to every request"),
      Flag.withDefault(0),
    ),
    json,
    quiet,
    verbose,
  },
  (input) => Effect.flatMap(demoModule(), (m) => m.runDemo(input)),
).pipe(
  Command.withDescription(
    "Run the whole setup against an in-process emulator: plan, apply, verify, and apply again to show it changes nothing.",
  ),
)

const initCommand = Command.make(
  "init",
  {
    output: Flag.String("output").pipe(
      Flag.withAlias("o"),
      Flag.withDescription("File to write"),
      Flag.withDefault(DEFAULT_INIT_FILE),
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription("Overwrite the file if it exists"),
      Flag.withDefault(false),
    ),
    instance: settingFlags.instance as Flag.Flag<Option.Option<string>>,
    tenant: settingFlags.tenant as Flag.Flag<Option.Option<string>>,
    servicenowUser: settingFlags["servicenow-user"] as Flag.Flag<Option.Option<string>>,
    entraClientId: settingFlags["entra-client-id"] as Flag.Flag<Option.Option<string>>,
    entraAuth: settingFlags["entra-auth"] as Flag.Flag<
      Option.Option<"clientSecret" | "certificate" | "deviceCode">
    >,
    adminEmail: settingFlags["admin-email"] as Flag.Flag<Option.Option<string>>,
    m365Mode: settingFlags["m365-mode"] as Flag.Flag<Option.Option<"api" | "manual">>,
  },
  (input) => Effect.flatMap(initModule(), (m) => m.runInit(input)),
).pipe(
  Command.withDescription(
    "Write a commented starter config (sn365.config.yaml). Refuses to overwrite without --force.",
  ),
)

/** The `sn365` command. */
export const sn365 = Command.make("sn365").pipe(
  Command.withDescription(
    "Set up the Microsoft 365 support integration with ServiceNow: Entra app registration, ServiceNow OAuth and integration user, the app's wizard values, the admin-center form, role grants, and verification. Exit codes: 0 ok, 1 failed, 2 bad usage or configuration, 3 verification failed.",
  ),
  Command.withSubcommands([
    planCommand,
    applyCommand,
    verifyCommand,
    teardownCommand,
    discoverCommand,
    demoCommand,
    emulatorCommand,
    initCommand,
  ]),
)

const JSON_COMMANDS = new Set<string>(["plan", "apply", "verify", "teardown", "discover", "demo"])

/** Prints usage errors briefly on standard error; help and version as usual on standard output. */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.gen(function* () {
      const formatter = yield* CliOutput.Formatter
      if (event._tag !== "InvalidInvocation") return yield* CliOutput.defaultPresenter.present(event)
      yield* Console.error(
        `${formatter.formatErrors(event.errors)}\n\nRun '${event.commandPath.join(" ")} --help' for usage.`,
      )
    }),
}

const ioConsole = (io: Io): Console.Console =>
  Object.assign(Object.create(console), {
    log: (...args: ReadonlyArray<unknown>) => io.stdout(`${format(...args)}\n`),
    info: (...args: ReadonlyArray<unknown>) => io.stdout(`${format(...args)}\n`),
    error: (...args: ReadonlyArray<unknown>) => io.stderr(`${format(...args)}\n`),
    warn: (...args: ReadonlyArray<unknown>) => io.stderr(`${format(...args)}\n`),
  })

const INTERRUPTED =
  "Interrupted. What was completed stays in place; run the same command again to continue from there."

/**
 * Prints the `--json` document of a run that ended before its command could print one (a usage
 * error, Ctrl-C); `command` is `null` when the arguments name no command that prints JSON.
 */
const printFailureDocument = (
  io: Io,
  args: ReadonlyArray<string>,
  exitCode: ExitCode,
  error: { readonly tag: string; readonly message: string },
): void => {
  const command = args[0]
  const document: OutputDocument = {
    schemaVersion: OUTPUT_SCHEMA_VERSION,
    command: command !== undefined && JSON_COMMANDS.has(command) ? (command as JsonCommand) : null,
    ok: false,
    exitCode,
    warnings: [],
    error,
  }
  io.stdout(`${JSON.stringify(document, null, 2)}\n`)
}

/** Ctrl-C during an operation: the `--json` document (exit code 130) or one line on standard error. */
const reportInterrupted = (io: Io, args: ReadonlyArray<string>): void => {
  if (args[0] === "emulator") return
  if (args.includes("--json"))
    printFailureDocument(io, args, ExitCode.Interrupted, { tag: "Interrupted", message: INTERRUPTED })
  else io.stderr(`\n${INTERRUPTED}\n`)
}

/**
 * The parse errors of a `--json` run, for its document. A mistyped command leaves `--json` to the
 * root command, which rejects it too: that second error says nothing the first does not.
 */
const usageMessages = (errors: ReadonlyArray<CliError.CliError>): string =>
  errors
    .filter((e, _, all) => !(e._tag === "UnrecognizedOption" && e.option === "--json" && all.length > 1))
    .map((e) => e.message)
    .join("\n")

/** Ctrl-C is how `sn365 emulator` is meant to stop (0); for every other command it interrupts work (130). */
export const interruptedExitCode = (args: ReadonlyArray<string>): ExitCode =>
  args[0] === "emulator" ? ExitCode.Ok : ExitCode.Interrupted

/**
 * Runs `sn365` with `args` (without the node and script paths) and returns the exit code:
 * 0 ok, 1 failed, 2 bad usage or configuration, 3 verification failed. Everything is written
 * through {@link Io}; nothing throws.
 *
 * @example
 * ```ts
 * const code = await Effect.runPromise(run(["plan", "--json"]).pipe(Effect.provide(NodeServices.layer)))
 * ```
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<ExitCode, never, Command.Environment> =>
  Effect.gen(function* () {
    const io = yield* Io
    return yield* Command.runWith(sn365, { version: VERSION })(args).pipe(
      Effect.onInterrupt(() => Effect.sync(() => reportInterrupted(io, args))),
      Effect.as(ExitCode.Ok),
      Effect.catchCause((cause): Effect.Effect<ExitCode> => {
        if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(interruptedExitCode(args))
        const error = Cause.squash(cause)
        if (error instanceof ExitWith) return Effect.succeed(error.code as ExitCode)
        if (CliError.isCliError(error)) {
          // Parse errors were already shown; bare `sn365` shows help, which is not an error.
          if (error._tag === "ShowHelp" && error.errors.length === 0) return Effect.succeed(ExitCode.Ok)
          // A script that asked for JSON gets a document even for a mistyped command.
          if (args.includes("--json"))
            printFailureDocument(io, args, ExitCode.Usage, {
              tag: "UsageError",
              message: error._tag === "ShowHelp" ? usageMessages(error.errors) : error.message,
            })
          return Effect.succeed(ExitCode.Usage)
        }
        const summary = summarizeFailure(error)
        const verbose = args.includes("--verbose")
        io.stderr(
          formatFailure(
            { ...summary, tag: "UnexpectedError" },
            verbose && error instanceof Error ? error.stack : undefined,
          ),
        )
        return Effect.succeed(summary.exitCode)
      }),
      Effect.provideService(Console.Console, ioConsole(io)),
      Effect.provideService(CliOutput.Presenter, presenter),
      Effect.provideService(CliConfig.CliConfig, {
        builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions],
      }),
    )
  })
