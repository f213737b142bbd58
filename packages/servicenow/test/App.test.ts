import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import { clientOf, freshInstance, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

describe("app.setupSummary (modeled endpoint)", () => {
  it.live("reads the wizard's values", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.setProperty(instance, "x_mioms_m365_assis.repository_id", "contoso-repo")
      const summary = yield* clientOf(emulator, instance).app.setupSummary()
      assert.strictEqual(summary.repository_id, "contoso-repo")
      assert.strictEqual(summary.setup_complete, "false")
      assert.strictEqual(
        summary.endpoint,
        `https://${instance}.service-now.com/api/x_mioms_m365_assis/v1/m365_support`,
      )
    }),
  )

  it.live("reports a refused cross-scope read as CrossScopeAccessDenied, with the fix", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.setCrossScopeRestricted(instance, true)
      const error = yield* Effect.flip(clientOf(emulator, instance).app.setupSummary())
      assert.strictEqual(error._tag, "CrossScopeAccessDenied")
      if (error._tag === "CrossScopeAccessDenied") {
        assert.strictEqual(error.table, "oauth_entity")
        assert.strictEqual(error.scope, "x_mioms_m365_assis")
      }
      assert.include(error.message, "has been refused due to the table's cross-scope access policy")
      assert.include(error.remedy ?? "", "access=public, read_access=true")
      emulator.servicenow.setCrossScopeRestricted(instance, false)
      yield* clientOf(emulator, instance).app.setupSummary()
    }),
  )

  it.live("reports a missing app and a missing app role distinctly", () =>
    Effect.gen(function* () {
      const bare = yield* Effect.promise(() => start({ servicenow: { appInstalled: false } }))
      const missing = yield* Effect.flip(clientOf(bare, freshInstance()).app.setupSummary())
      yield* Effect.promise(() => bare.close())
      assert.strictEqual(missing._tag, "AppNotInstalled")
      assert.include(missing.remedy ?? "", "Install the app x_mioms_m365_assis")

      const instance = freshInstance()
      emulator.servicenow.grantRole(instance, "itil", "snc_basic_auth_api_access")
      const itil = clientOf(emulator, instance, {
        auth: { type: "basic", username: "itil", password: Redacted.make("itil") },
      })
      const denied = yield* Effect.flip(itil.app.setupSummary())
      assert.strictEqual(denied._tag === "AclDenied" && denied.operation, "call")
      assert.include(denied.remedy ?? "", "x_mioms_m365_assis.administrator")
    }),
  )
})
