import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { apply, plan, verify } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE, optionsFor } from "../support/emulator.ts"

describe("cross-scope access to the OAuth tables", () => {
  it.live(
    "without the opt-in: the plan is blocked and apply fails with the exact remedy, writing nothing",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        emulator.servicenow.setCrossScopeRestricted(INSTANCE, true)
        const config = yield* decoded(configInput(emulator))
        const { options } = optionsFor(emulator)

        const thePlan = yield* plan(config, options)
        const blocked = thePlan.changes.find((c) => c.step === "servicenow.crossScope")
        assert.strictEqual(blocked?.action, "blocked")

        emulator.requests.clear()
        const error = yield* Effect.flip(apply(config, options))
        assert.strictEqual(error._tag, "CrossScopeAccessDenied")
        assert.include(error.message, "oauth_entity")
        assert.include(error.message, "Accessible from = All application scopes")
        assert.include(error.message, "fixCrossScopeAccess")
        // Token requests are POSTs to the token endpoint; no write reached ServiceNow, Graph or the admin center.
        const changes = emulator.requests.all().filter((r) => r.method !== "GET" && r.system !== "login")
        assert.deepStrictEqual(changes, [])
      }),
  )

  it.live(
    "with integration.fixCrossScopeAccess: apply opens the tables and verify sees the app read them",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        emulator.servicenow.setCrossScopeRestricted(INSTANCE, true)
        const input = configInput(emulator)
        const config = yield* decoded({
          ...input,
          integration: { ...(input.integration as object), fixCrossScopeAccess: true },
        })
        const { options } = optionsFor(emulator)
        const result = yield* apply(config, options)
        assert.strictEqual(result.steps.find((s) => s.step === "servicenow.crossScope")?.outcome, "updated")
        const rows = emulator.servicenow.find(
          INSTANCE,
          "sys_db_object",
          "nameINoauth_entity,oauth_entity_profile",
        )
        assert.deepStrictEqual(rows.map((r) => [r.name, r.access, r.read_access]).sort(), [
          ["oauth_entity", "public", "true"],
          ["oauth_entity_profile", "public", "true"],
        ])
        const report = yield* verify(config, options)
        assert.strictEqual(report.checks.find((c) => c.id === "servicenow.appWizard")?.status, "pass")
        assert.isTrue(report.ok, JSON.stringify(report.checks.filter((c) => c.status !== "pass")))
      }),
  )
})
