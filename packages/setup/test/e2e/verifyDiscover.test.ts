import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { memorySecretStore } from "../../src/Secrets.ts"
import { apply, discover, verify } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE, optionsFor } from "../support/emulator.ts"

describe("verify", () => {
  it.live("skips the token checks with a reason when the generated secrets are not in the store", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options } = optionsFor(emulator)
      yield* apply(config, options)
      const report = yield* verify(config, { ...options, secrets: memorySecretStore() })
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]))
      assert.strictEqual(byId["entra.token"]?.status, "skipped")
      assert.include(byId["entra.token"]?.message, "secret store")
      assert.strictEqual(byId["servicenow.passwordGrant"]?.status, "skipped")
      assert.strictEqual(byId["servicenow.integrationUser"]?.status, "pass")
      assert.isTrue(report.ok)
    }),
  )

  it.live("fails the checks whose objects are wrong, with a remedy, without failing the operation", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options } = optionsFor(emulator)
      yield* apply(config, options)
      const [user] = emulator.servicenow.find(INSTANCE, "sys_user", "user_name=sn365_m365_integration")
      emulator.servicenow.update(INSTANCE, "sys_user", user?.sys_id ?? "", { locked_out: "true" })
      const report = yield* verify(config, options)
      const check = report.checks.find((c) => c.id === "servicenow.integrationUser")
      assert.strictEqual(check?.status, "fail")
      assert.include(check?.message, "locked out")
      assert.isString(check?.remedy)
      assert.isFalse(report.ok)
    }),
  )
})

describe("discover", () => {
  it.live("lists the app, its version and generation, its tables and its properties", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options } = optionsFor(emulator)
      const report = yield* discover(config, options)
      assert.deepInclude(report.app, { scope: "x_mioms_m365_assis", version: "1.0.11", generation: "B" })
      assert.isAbove(report.tables.length, 0)
      assert.isTrue(report.tables.every((t) => t.name.startsWith("x_mioms_m365_assis_")))
      assert.includeMembers(
        report.properties.map((p) => p.name),
        [
          "x_mioms_m365_assis.repository_id",
          "x_mioms_m365_assis.endpoint",
          "x_mioms_m365_assis.setup_complete",
        ],
      )
    }),
  )
})
