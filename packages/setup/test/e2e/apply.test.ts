import { assert, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import { ApplyFailed, PreflightFailed } from "../../src/Errors.ts"
import { Progress, type SetupEvent } from "../../src/Events.ts"
import { memorySecretStore } from "../../src/Secrets.ts"
import { apply, plan, verify } from "../../src/Setup.ts"
import {
  configInput,
  decoded,
  emulatorForSetup,
  INSTANCE,
  optionsFor,
  unusableSecretStore,
} from "../support/emulator.ts"

/** How many of the objects sn365 manages exist on each side. */
const managed = (emulator: Emulator) => ({
  oauthRecords: emulator.servicenow.count(INSTANCE, "oauth_entity", "nameLIKEsn365"),
  integrationUsers: emulator.servicenow.count(INSTANCE, "sys_user", "user_name=sn365_m365_integration"),
  entraApps: emulator.microsoft
    .applications()
    .filter((a) => ((a.tags ?? []) as Array<string>).includes("sn365:managed")).length,
})

describe("apply against the emulator", () => {
  it.live("reports progress to the Progress service as it does to onEvent", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const { options, events } = optionsFor(emulator)
      const provided: Array<SetupEvent> = []
      yield* apply(config, options).pipe(Effect.provideService(Progress, (event) => provided.push(event)))
      assert.isTrue(provided.some((e) => e._tag === "StepSucceeded" && e.step === "servicenow.setupComplete"))
      assert.deepStrictEqual(
        provided.map((e) => e._tag),
        events.map((e) => e._tag),
      )
    }),
  )
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

      // One of each managed object on each side (the two OAuth records: outbound and inbound).
      assert.deepStrictEqual(managed(emulator), { oauthRecords: 2, integrationUsers: 1, entraApps: 1 })
    }),
  )
  it.live("names every step that failed in a run, not only the first", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      // Two steps that run at once, refused at once.
      emulator.faults.add({ kind: "status", system: "graph", method: "PATCH", status: 403, times: 1 })
      emulator.faults.add({
        kind: "status",
        system: "servicenow",
        method: "POST",
        path: /\/api\/now\/v2\/table\/oauth_entity$/,
        status: 403,
        times: 1,
      })
      const error = yield* Effect.flip(apply(config, optionsFor(emulator).options))
      assert.instanceOf(error, ApplyFailed)
      const failed = error as ApplyFailed
      const steps = [failed.step, ...(failed.alsoFailed ?? []).map((other) => other.step)]
      assert.includeMembers(steps, ["entra.app", "servicenow.inboundClient"])
      // Each with its own error, mapped by its own client.
      const tags = Object.fromEntries([
        [failed.step, failed.error.tag],
        ...(failed.alsoFailed ?? []).map((other) => [other.step, other.error.tag]),
      ])
      assert.deepStrictEqual(tags, {
        "entra.app": "InsufficientPrivileges",
        "servicenow.inboundClient": "Forbidden",
      })
      assert.include(failed.message, "Also failed:")
    }),
  )

  it.live("a re-run hands over the secret an earlier, failed run generated, instead of a new one", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const secrets = memorySecretStore()
      // The new secret never replicates within the budget: the run fails before ServiceNow gets it.
      emulator.microsoft.setReplicationLag({ secretsMs: 60_000 })
      const failed = yield* Effect.flip(
        apply(config, optionsFor(emulator, { secrets, replicationBudgetMs: 1_000 }).options),
      )
      assert.strictEqual(failed._tag, "ApplyFailed")
      const generated = yield* secrets.get("entraClientSecret")
      assert.isDefined(generated)
      emulator.microsoft.setReplicationLag({ secretsMs: 0 })
      emulator.clock.advance(61_000)

      const { options } = optionsFor(emulator, { secrets })
      const again = yield* plan(config, options)
      assert.strictEqual(again.changes.find((c) => c.step === "entra.secret")?.action, "keep")
      const rerun = yield* apply(config, options)
      assert.strictEqual(rerun.steps.find((s) => s.step === "entra.secret")?.outcome, "kept")
      // The failed run returned nothing: this one returns the secret it handed over.
      assert.strictEqual(
        Redacted.value(rerun.secrets.entraClientSecret as Redacted.Redacted<string>),
        Redacted.value(generated as Redacted.Redacted<string>),
      )
      // One sn365 secret on the app: the one generated first, now held by ServiceNow.
      const app = emulator.microsoft
        .applications()
        .find((a) => ((a.tags ?? []) as Array<string>).includes("sn365:managed"))
      const credentials = (app?.passwordCredentials ?? []) as Array<{ keyId: string }>
      assert.deepStrictEqual(
        credentials.map((c) => c.keyId),
        [rerun.outputs.entraSecretKeyId],
      )
      assert.strictEqual(
        Redacted.value((yield* secrets.get("entraClientSecret")) as Redacted.Redacted<string>),
        Redacted.value(generated as Redacted.Redacted<string>),
      )
      const report = yield* verify(config, options)
      assert.isTrue(report.ok)
    }),
  )

  it.live(
    "changes nothing when the secret store cannot keep the secrets it would generate, and needs it only to change something",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        const config = yield* decoded(configInput(emulator))
        // No secret generated could be written there.
        const { options } = optionsFor(emulator, { secrets: yield* unusableSecretStore() })

        const error = yield* Effect.flip(apply(config, options))
        assert.instanceOf(error, PreflightFailed)
        const problems = (error as PreflightFailed).problems
        assert.deepStrictEqual(
          problems.map((p) => p.check),
          ["Secret store"],
        )
        assert.match(problems[0]?.message ?? "", /Cannot (read|write) the secrets file/)
        assert.deepStrictEqual(managed(emulator), { oauthRecords: 0, integrationUsers: 0, entraApps: 0 })

        // Once set up, a run with nothing to change does not need the store.
        yield* apply(config, optionsFor(emulator).options)
        const rerun = yield* apply(config, options)
        assert.isTrue(rerun.steps.every((s) => s.outcome === "kept"))
      }),
  )
})
