/**
 * `sn365 demo`: the whole setup against an in-process emulator — plan, apply, verify, and apply
 * again to show that nothing changes — with visible progress and a summary without secrets.
 *
 * @module
 */
import type { ApplyResult } from "@sn365/setup"
import * as Effect from "effect/Effect"
import { startEmulator } from "./EmulatorCommand.ts"
import { ExitCode } from "./Errors.ts"
import { Io } from "./Io.ts"
import { emulatorConfigInput, emulatorIdentities } from "./internal/emulatorSeed.ts"
import { applyJson, planJson, verifyJson } from "./Json.ts"
import { finishRun, reportFailures, startRun, warn } from "./Operations.ts"
import type { OutputFlags } from "./Output.ts"
import { formatDuration } from "./Progress.ts"
import { renderApply, renderOutputs, renderVerify } from "./Report.ts"

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
        text(`\n${renderApply(first, {}, { outputs: false, secretsFileHint: false })}`)

        say("\n3/4  Verify")
        const report = yield* Setup.verify(config, options)
        run.document.verify = verifyJson(report)
        text(`\n${renderVerify(report)}`)
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
