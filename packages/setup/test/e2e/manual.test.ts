import { assert, describe, it } from "@effect/vitest"
import type { ManualHandoffRequest } from "@sn365/m365"
import { Effect, Redacted } from "effect"
import { PreflightFailed } from "../../src/Errors.ts"
import { apply, plan, teardown } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, optionsFor } from "../support/emulator.ts"

describe("manual hand-off of the admin-center form", () => {
  it.live("without a manualHandoff option, apply and teardown stop before any request", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator, { microsoft365: { mode: "manual" } }))
      const { options } = optionsFor(emulator)
      for (const run of [apply(config, options), teardown(config, options)]) {
        const error = yield* Effect.flip<unknown, unknown, never>(run)
        assert.instanceOf(error, PreflightFailed)
        assert.deepStrictEqual(
          (error as PreflightFailed).problems.map((p) => p.check),
          ["Manual hand-off"],
        )
      }
      assert.strictEqual(emulator.requests.count(), 0)
      // Planning needs no one to fill the form in.
      yield* plan(config, options)
    }),
  )
  it.live("asks the administrator for M1 and M2 with the exact values, then a re-run keeps everything", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator, { microsoft365: { mode: "manual" } }))
      const asked: Array<ManualHandoffRequest> = []
      const { options } = optionsFor(emulator, {
        manualHandoff: async (request) => {
          asked.push(request)
          return true
        },
      })
      const result = yield* apply(config, options)
      assert.deepStrictEqual(
        asked.map((r) => r.step),
        ["M1", "M2"],
      )
      const repo = Object.fromEntries(asked[1]?.fields.map((f) => [f.label, f.value]) ?? [])
      assert.strictEqual(repo.Repository, "dev365")
      assert.strictEqual(repo["Authentication type"], "Basic Auth")
      assert.strictEqual(repo["Client ID"], result.outputs.inboundClientId)
      assert.strictEqual(repo["Rest username"], "sn365_m365_integration")
      assert.strictEqual(repo["Refresh token expiry"], "864000")
      // The secrets handed over are the ones ServiceNow now holds, still Redacted.
      const secret = repo["Client secret"]
      const password = repo["Rest user password"]
      assert.isTrue(Redacted.isRedacted(secret) && Redacted.isRedacted(password))
      assert.isTrue(
        emulator.servicenow.passwordMatches(
          "dev365",
          "sn365_m365_integration",
          Redacted.value(password as Redacted.Redacted<string>),
        ),
      )
      // Nothing was written to the admin-center API.
      assert.strictEqual(
        emulator.requests.count((r) => r.system === "admin" && r.method !== "GET"),
        0,
      )

      const again = yield* plan(config, options)
      assert.deepStrictEqual(
        again.changes.filter((c) => c.action !== "keep").map((c) => c.step),
        [],
      )

      // Teardown asks the administrator to remove the repository and empty Basic information.
      asked.length = 0
      const report = yield* teardown(config, options)
      assert.deepStrictEqual(
        asked.map((r) => r.step),
        ["M2", "M1"],
      )
      assert.includeMembers(
        report.removed.map((r) => r.title),
        ["Repository", "Basic information"],
      )
    }),
  )

  it.live("a declined hand-off stops apply with the remedy; the next run converges", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator, { microsoft365: { mode: "manual" } }))
      let confirm = false
      const { options } = optionsFor(emulator, { manualHandoff: async () => confirm })
      const error = yield* Effect.flip(apply(config, options))
      assert.strictEqual(error._tag, "ApplyFailed")
      assert.include(error.message, "admin center")
      confirm = true
      const result = yield* apply(config, options)
      assert.isTrue(result.steps.every((s) => s.status === "succeeded"))
      assert.strictEqual(emulator.servicenow.property("dev365", "x_mioms_m365_assis.setup_complete"), "true")
    }),
  )
})
