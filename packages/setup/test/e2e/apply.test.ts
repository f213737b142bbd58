import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { apply, plan } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE, optionsFor } from "../support/emulator.ts"

describe("apply against the emulator", () => {
  it.live("sets everything up, then a second run is all no-ops", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options, events } = optionsFor(emulator)

      const first = yield* apply(config, options)
      const actions = first.plan.changes.map((c) => `${c.step}:${c.action}`)
      assert.include(actions, "entra.app:create")
      assert.include(actions, "servicenow.outboundProvider:create")
      assert.isTrue(
        first.steps.every((s) => s.status === "succeeded"),
        JSON.stringify(first.steps.filter((s) => s.status !== "succeeded")),
      )
      assert.isDefined(first.outputs.entraAppId)
      assert.isDefined(first.secrets.entraClientSecret)
      assert.isTrue(events.some((e) => e._tag === "StepSucceeded" && e.step === "servicenow.setupComplete"))

      const second = yield* plan(config, options)
      const notKept = second.changes.filter((c) => c.action !== "keep")
      assert.deepStrictEqual(notKept, [], "second plan should keep everything")
      const rerun = yield* apply(config, options)
      assert.isTrue(
        rerun.steps.every((s) => s.outcome === "kept"),
        JSON.stringify(rerun.steps.filter((s) => s.outcome !== "kept")),
      )
      assert.deepStrictEqual(rerun.secrets, {})

      // One of each managed object on each side.
      assert.strictEqual(emulator.servicenow.count(INSTANCE, "oauth_entity", "nameLIKEsn365"), 2)
      assert.strictEqual(
        emulator.servicenow.count(INSTANCE, "sys_user", "user_name=sn365_m365_integration"),
        1,
      )
      assert.strictEqual(
        emulator.microsoft
          .applications()
          .filter((a) => ((a.tags ?? []) as Array<string>).includes("sn365:managed")).length,
        1,
      )
    }),
  )
})
