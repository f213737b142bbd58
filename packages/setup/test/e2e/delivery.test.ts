import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { DELIVERY_PENDING } from "../../src/Names.ts"
import { apply, plan, verify } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE, optionsFor } from "../support/emulator.ts"

describe("the repository-delivery mark", () => {
  it.live(
    "a run that stopped between rotating the repository's secrets and writing it is finished by the next",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        const config = yield* decoded(configInput(emulator))
        const { options } = optionsFor(emulator)
        yield* apply(config, options)
        const inbound = () =>
          emulator.servicenow.find(INSTANCE, "oauth_entity", "name=sn365 Microsoft 365 support inbound")[0]
        assert.notInclude(
          inbound()?.comments ?? "",
          DELIVERY_PENDING,
          "cleared once the repository is written",
        )

        // What a run that died after rotating the inbound secret leaves behind.
        emulator.servicenow.update(INSTANCE, "oauth_entity", String(inbound()?.sys_id), {
          comments: `Managed by sn365 (prefix sn365); ${DELIVERY_PENDING}`,
        })
        const planned = yield* plan(config, options)
        const repository = planned.changes.find((c) => c.step === "microsoft365.repository")
        assert.strictEqual(repository?.action, "update")
        assert.match(repository?.reason ?? "", /stopped before writing it/)
        const checked = yield* verify(config, options)
        assert.strictEqual(checked.checks.find((c) => c.id === "microsoft365.repository")?.status, "fail")

        const resumed = yield* apply(config, options)
        assert.strictEqual(
          resumed.steps.find((s) => s.step === "microsoft365.repository")?.outcome,
          "updated",
        )
        assert.notInclude(inbound()?.comments ?? "", DELIVERY_PENDING)
        const again = yield* plan(config, options)
        assert.deepStrictEqual(
          again.changes.filter((c) => c.action !== "keep").map((c) => c.step),
          [],
        )
        assert.isTrue((yield* verify(config, options)).ok)
      }),
  )
})
