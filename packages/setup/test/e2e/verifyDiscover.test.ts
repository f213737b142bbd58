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

  it.live("says which record is missing when there is nothing to compare with (a fresh instance)", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options } = optionsFor(emulator)
      const report = yield* verify(config, options)
      const message = (id: string) => report.checks.find((c) => c.id === id)?.message ?? ""
      assert.include(
        message("servicenow.appWizard"),
        "outbound_app_id is empty, and there is no app registration",
      )
      assert.include(
        message("servicenow.appWizard"),
        "client_id is empty, and there is no inbound OAuth endpoint",
      )
      assert.include(message("servicenow.appWizard"), "repository_id is empty, expected 'dev365'")
      assert.strictEqual(
        message("microsoft365.basicInformation"),
        "Application ID is empty, and there is no app registration for it to name",
      )
      for (const check of report.checks) assert.notInclude(check.message ?? "", "undefined")
    }),
  )
})

describe("verify, the outbound provider's secret", () => {
  it.live("fails when the Entra secret ServiceNow holds is no longer one of the app's", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options } = optionsFor(emulator)
      const result = yield* apply(config, options)
      // Someone removes the secret in the Entra portal; ServiceNow still holds its (now useless) text.
      const graph = yield* Effect.promise(() =>
        emulator
          .fetch(
            new Request(
              `https://login.microsoftonline.com/${emulator.microsoft.defaults.tenantId}/oauth2/v2.0/token`,
              {
                method: "POST",
                headers: { "content-type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({
                  grant_type: "client_credentials",
                  client_id: emulator.microsoft.defaults.adminApp.appId,
                  client_secret: emulator.microsoft.defaults.adminApp.secret,
                  scope: "https://graph.microsoft.com/.default",
                }),
              },
            ),
          )
          .then((r) => r.json() as Promise<{ access_token: string }>),
      )
      const removed = yield* Effect.promise(() =>
        emulator.fetch(
          new Request(
            `https://graph.microsoft.com/v1.0/applications/${result.outputs.entraAppObjectId}/removePassword`,
            {
              method: "POST",
              headers: { authorization: `Bearer ${graph.access_token}`, "content-type": "application/json" },
              body: JSON.stringify({ keyId: result.outputs.entraSecretKeyId }),
            },
          ),
        ),
      )
      assert.strictEqual(removed.status, 204)
      const report = yield* verify(config, options)
      const check = report.checks.find((c) => c.id === "servicenow.outboundProvider")
      assert.strictEqual(check?.status, "fail")
      assert.include(check?.message, "does not hold an unexpired client secret")
      // And the next apply repairs it: a new secret, handed to ServiceNow.
      const again = yield* apply(config, options)
      assert.strictEqual(again.steps.find((s) => s.step === "entra.secret")?.outcome, "created")
      assert.isTrue((yield* verify(config, options)).ok)
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
