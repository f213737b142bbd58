import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { SecretStore } from "../../src/Secrets.ts"
import { apply, teardown, verify } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, INSTANCE, optionsFor } from "../support/emulator.ts"

/**
 * Record bookkeeping that any write changes (teardown restores values, not edit history), and
 * Entra's recycle bin of deleted applications, checked separately.
 */
const BOOKKEEPING = new Set(["sys_mod_count", "sys_updated_by", "sys_updated_on", "deletedApplications"])

/** A snapshot without bookkeeping fields and without tables that exist only because they were once written. */
const normalise = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalise)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !BOOKKEEPING.has(key) && !(Array.isArray(v) && v.length === 0))
      .map(([key, v]) => [key, normalise(v)]),
  )
}

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
        const deleted = Object.values(after.graph.tenants ?? after.graph).flatMap(
          (tenant) => (tenant as { deletedApplications?: Array<string> }).deletedApplications ?? [],
        )
        assert.lengthOf(deleted, 1)
        assert.deepStrictEqual(normalise(after), normalise(JSON.parse(seeded)))

        // The secrets of the deleted objects are forgotten too.
        for (const name of ["entraClientSecret", "inboundClientSecret", "integrationUserPassword"] as const)
          assert.isUndefined(yield* (options.secrets as SecretStore).get(name))

        const again = yield* teardown(config, options)
        assert.deepStrictEqual(again.removed, [])
      }),
  )
})
