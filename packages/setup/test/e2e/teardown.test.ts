import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PreflightFailed } from "../../src/Errors.ts"
import type { SecretStore } from "../../src/Secrets.ts"
import { apply, teardown, verify } from "../../src/Setup.ts"
import {
  configInput,
  decoded,
  emulatorForSetup,
  INSTANCE,
  optionsFor,
  unusableSecretStore,
} from "../support/emulator.ts"
import { deletedApplicationsOf, normalise } from "../support/seeded.ts"

describe("teardown", () => {
  it.live(
    "removes exactly what sn365 manages and leaves the emulator as seeded; a second teardown finds nothing",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        emulator.servicenow.ensure(INSTANCE)
        const seeded = JSON.stringify(emulator.snapshot())
        const config = yield* decoded(configInput(emulator))
        const { options } = optionsFor(emulator)
        yield* apply(config, options)
        yield* verify(config, options)
        assert.notStrictEqual(JSON.stringify(emulator.snapshot()), seeded)

        const report = yield* teardown(config, options)
        assert.includeMembers(
          report.removed.map((r) => r.title),
          [
            "App registration (outbound)",
            "Outbound OAuth provider",
            "Inbound OAuth endpoint",
            "Integration user",
            "Repository",
          ],
        )
        // Entra keeps a deleted application restorable for 30 days (entra-graph-msal §1.7); sn365 does not purge it.
        const after = JSON.parse(JSON.stringify(emulator.snapshot()))
        assert.lengthOf(deletedApplicationsOf(after), 1)
        assert.deepStrictEqual(normalise(after), normalise(JSON.parse(seeded)))

        // The secrets of the deleted objects are forgotten too.
        for (const name of ["entraClientSecret", "inboundClientSecret", "integrationUserPassword"] as const)
          assert.isUndefined(yield* (options.secrets as SecretStore).get(name))

        const again = yield* teardown(config, options)
        assert.deepStrictEqual(again.removed, [])
      }),
  )
  it.live("removes nothing when the secret store cannot forget the secrets of what it removes", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      yield* apply(config, optionsFor(emulator).options)
      const setUp = JSON.stringify(emulator.snapshot())
      const { options } = optionsFor(emulator, { secrets: yield* unusableSecretStore() })

      const error = yield* Effect.flip(teardown(config, options))
      assert.instanceOf(error, PreflightFailed)
      assert.deepStrictEqual(
        (error as PreflightFailed).problems.map((p) => p.check),
        ["Secret store"],
      )
      assert.strictEqual(JSON.stringify(emulator.snapshot()), setUp)
    }),
  )
})
