/**
 * The commands that are not setup operations: `emulator` (the emulator, standalone), `demo` (the
 * whole setup against an in-process emulator) and `init` (a starter config). Loaded only when one
 * of them runs; the emulator itself is imported only by the first two.
 *
 * @module
 */
import { writeFile } from "node:fs/promises"
import { resolve } from "node:path"
import type { ApplyResult } from "@sn365/setup"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ExitCode, Exit as ExitWith, UsageError } from "./Errors.ts"
import { type StarterValues, starterConfig } from "./Init.ts"
import { Io } from "./Io.ts"
import { emulatorConfigInput, emulatorIdentities } from "./internal/emulatorSeed.ts"
import { applyJson, planJson, verifyJson } from "./Json.ts"
import { finishRun, reportFailures, startRun, warn } from "./Operations.ts"
import type { OutputFlags } from "./Output.ts"
import { formatDuration } from "./Progress.ts"
import { renderApply, renderOutputs, renderVerify } from "./Report.ts"
import { ENV } from "./Settings.ts"

/** The emulator could not start (for example, its port is taken). */
export class EmulatorFailed extends Schema.TaggedError<EmulatorFailed>()("EmulatorFailed", {
  message: Schema.String,
  remedy: Schema.optionalKey(Schema.String),
}) {}

interface EmulatorFlags {
  readonly port?: number
  readonly host?: string
  readonly seed: number
  readonly latency: number
}

const startEmulator = (flags: EmulatorFlags) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const { startEmulator } = await import("@sn365/emulator")
        return startEmulator({
          host: flags.host ?? "127.0.0.1",
          port: flags.port ?? 0,
          seed: flags.seed,
          latencyMs: flags.latency,
        })
      },
      catch: (cause) => {
        const code = (cause as NodeJS.ErrnoException).code
        return new EmulatorFailed(
          code === "EADDRINUSE"
            ? {
                message: `Port ${flags.port} on ${flags.host} is already in use.`,
                remedy: "Choose another with --port (0 picks a free one).",
              }
            : { message: `The emulator did not start: ${code ?? String(cause)}` },
        )
      },
    }),
    (emulator) => Effect.promise(() => emulator.close()),
  )

/** `sn365 emulator`: starts the emulator, prints how to use it, and runs until Ctrl-C. */
export const runEmulator = (flags: EmulatorFlags & { readonly port: number; readonly host: string }) =>
  Effect.gen(function* () {
    const io = yield* Io
    const emulator = yield* startEmulator(flags)
    const id = emulatorIdentities(emulator)
    const routes = Object.entries(emulator.routes)
      .map(([pattern, origin]) => `  ${pattern.padEnd(28)} → ${origin}`)
      .join("\n")
    const configFile = "sn365.emulator.yaml"
    io.stdout(
      [
        `sn365 emulator listening on ${emulator.url} (seed ${flags.seed}${flags.latency > 0 ? `, ${flags.latency} ms latency` : ""})`,
        "",
        "Routes (the real host names it answers for):",
        routes,
        "",
        "Seeded identities (emulator test data, not real credentials):",
        `  ServiceNow instance      ${id.instance}  (any *.service-now.com name)`,
        `  ServiceNow admin         ${id.servicenowUser} / ${id.servicenowPassword}`,
        `  Entra tenant             ${id.tenant} (${id.tenantId})`,
        `  Entra setup app          ${id.entraClientId}`,
        `  Entra setup app secret   ${id.entraClientSecret}`,
        `  Device-code client       ${id.publicClientId}`,
        `  Microsoft 365 admin      ${id.adminEmail}`,
        "",
        `Point sn365 at it: save the config below as ${configFile}, then run`,
        "",
        `  export ${ENV.emulatorUrl}=${emulator.url}`,
        `  export SN365_SERVICENOW_PASSWORD='${id.servicenowPassword}'`,
        `  export SN365_ENTRA_CLIENT_SECRET='${id.entraClientSecret}'`,
        `  sn365 plan --config ${configFile}`,
        "",
        `--- ${configFile} ---`,
        starterConfig({
          instance: id.instance,
          servicenowUser: id.servicenowUser,
          tenant: id.tenant,
          entraClientId: id.entraClientId,
          adminEmail: id.adminEmail,
          note: `For the sn365 emulator (${ENV.emulatorUrl}=${emulator.url}).`,
        }),
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    )
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.catchTag("EmulatorFailed", (error) =>
      Effect.gen(function* () {
        const io = yield* Io
        io.stderr(`Error: ${error.message}\n${error.remedy === undefined ? "" : `Remedy: ${error.remedy}\n`}`)
        return yield* new ExitWith({ code: ExitCode.Failed })
      }),
    ),
  )

const changedSteps = (result: ApplyResult) =>
  result.steps.filter((s) => s.status !== "succeeded" || (s.outcome !== "kept" && s.outcome !== "checked"))

/** `sn365 demo`: the whole setup against an in-process emulator, twice, with verification in between. */
export const runDemo = (flags: OutputFlags & { readonly seed: number; readonly latency: number }) =>
  Effect.gen(function* () {
    const io = yield* Io
    const run = startRun(io, flags)
    const started = Date.now()
    const text = (value: string) => {
      if (!run.output.json) run.view.print(value)
    }
    const say = (value: string) => {
      if (!run.output.json && !run.output.quiet) run.view.note(value)
    }
    yield* reportFailures(
      run,
      "demo",
      Effect.gen(function* () {
        const Setup = yield* Effect.promise(() => import("@sn365/setup"))
        const emulator = yield* startEmulator(flags)
        run.document.emulator = emulator.url
        say(
          `Emulator running in-process at ${emulator.url}; every request to ServiceNow, Entra, Graph and the admin center goes there.`,
        )
        const identities = emulatorIdentities(emulator)
        const config = yield* Setup.decodeConfig(emulatorConfigInput(identities))
        const options = { fetch: emulator.fetch, onEvent: run.view.onEvent }

        say("\n1/4  Plan")
        const plan = yield* Setup.plan(config, options)
        run.document.plan = planJson(plan)
        text(Setup.renderPlan(plan))

        say("\n2/4  Apply")
        const first = yield* Setup.apply(config, { ...options, confirm: async () => true })
        run.document.apply = applyJson(first, undefined)
        text(renderApply(first, {}))

        say("\n3/4  Verify")
        const report = yield* Setup.verify(config, options)
        run.document.verify = verifyJson(report)
        text(renderVerify(report))
        if (!report.ok) return ExitCode.VerificationFailed

        say("\n4/4  Apply again: everything should already be in place")
        const second = yield* Setup.apply(config, { ...options, confirm: async () => true })
        run.document.reapply = applyJson(second, undefined)
        const changed = changedSteps(second)
        if (changed.length > 0)
          warn(
            run,
            `The second apply changed ${changed.map((s) => s.title).join(", ")}; it should change nothing.`,
          )
        text(
          [
            "",
            `Demo complete in ${formatDuration(Date.now() - started)}.`,
            `Second apply: ${second.steps.length - changed.length} of ${second.steps.length} steps unchanged${changed.length === 0 ? " (idempotent)" : ""}.`,
            "Outputs:",
            ...renderOutputs(first.outputs),
          ].join("\n"),
        )
        return changed.length === 0 ? ExitCode.Ok : ExitCode.Failed
      }).pipe(
        Effect.scoped,
        Effect.flatMap((code) => finishRun(run, "demo", code)),
      ),
    )
  })

/** `sn365 init`: writes the starter config; refuses to overwrite without `--force`. */
export const runInit = (input: {
  readonly output: string
  readonly force: boolean
  readonly instance: Option.Option<string>
  readonly tenant: Option.Option<string>
  readonly servicenowUser: Option.Option<string>
  readonly entraClientId: Option.Option<string>
  readonly entraAuth: Option.Option<NonNullable<StarterValues["entraAuth"]>>
  readonly adminEmail: Option.Option<string>
  readonly m365Mode: Option.Option<NonNullable<StarterValues["m365Mode"]>>
}) =>
  Effect.gen(function* () {
    const io = yield* Io
    const path = resolve(io.cwd, input.output)
    const text = starterConfig({
      instance: Option.getOrUndefined(input.instance),
      tenant: Option.getOrUndefined(input.tenant),
      servicenowUser: Option.getOrUndefined(input.servicenowUser),
      entraClientId: Option.getOrUndefined(input.entraClientId),
      entraAuth: Option.getOrUndefined(input.entraAuth),
      adminEmail: Option.getOrUndefined(input.adminEmail),
      m365Mode: Option.getOrUndefined(input.m365Mode),
    })
    yield* Effect.tryPromise({
      try: () => writeFile(path, text, { flag: input.force ? "w" : "wx" }),
      catch: (cause) =>
        (cause as NodeJS.ErrnoException).code === "EEXIST"
          ? new UsageError({
              message: `${path} already exists; nothing was written.`,
              remedy: "Use --force to overwrite it, or --output to write another file.",
            })
          : new UsageError({
              message: `Cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
            }),
    }).pipe(
      Effect.catchTag("UsageError", (error) =>
        Effect.gen(function* () {
          io.stderr(
            `Error: ${error.message}\n${error.remedy === undefined ? "" : `Remedy: ${error.remedy}\n`}`,
          )
          return yield* new ExitWith({ code: ExitCode.Usage })
        }),
      ),
    )
    io.stdout(
      `Wrote ${path}. Replace every <placeholder>, set the secrets in the environment (SN365_SERVICENOW_PASSWORD, SN365_ENTRA_CLIENT_SECRET…), then run: sn365 plan\n`,
    )
  })
