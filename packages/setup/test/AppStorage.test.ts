import { assert, describe, it } from "@effect/vitest"
import { NotFound } from "@sn365/core"
import type { Emulator } from "@sn365/emulator"
import { makeServiceNow } from "@sn365/servicenow"
import { Effect, Redacted } from "effect"
import { appPropertyNames, propertyAppStorage } from "../src/AppStorage.ts"
import { emulatorForSetup, INSTANCE } from "./support/emulator.ts"

const storageOn = (emulator: Emulator, overrides: Record<string, string> = {}) =>
  propertyAppStorage(
    makeServiceNow({
      instanceUrl: INSTANCE,
      auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
      fetch: emulator.fetch,
    }),
    appPropertyNames(overrides),
  )

describe("propertyAppStorage", () => {
  it.live("writes each value with a request of its own: a PATCH of its record, or a POST creating it", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      // A key mapped to a property the instance does not have yet: written by creating its record.
      const newName = "x_mioms_m365_assis.sn365_test_repository"
      const storage = storageOn(emulator, { repositoryId: newName })
      const before = yield* storage.read
      assert.isDefined(before.consent?.sysId, "the app ships its properties")
      assert.isUndefined(before.repositoryId)

      emulator.requests.clear()
      yield* storage.write(
        { consent: "true", m365AdminEmail: "admin@contoso.com", repositoryId: "dev365" },
        before,
      )
      // Not one Batch API request: a batch runs its items one after another on the instance, and
      // these writes are on the setup's critical path (hop 5); separate requests run side by side.
      const writes = emulator.requests
        .all()
        .map((r) => `${r.method} ${r.path.split("?")[0]}`)
        .sort()
      assert.deepStrictEqual(
        writes,
        [
          `PATCH /api/now/v2/table/sys_properties/${before.consent?.sysId}`,
          `PATCH /api/now/v2/table/sys_properties/${before.m365AdminEmail?.sysId}`,
          "POST /api/now/v2/table/sys_properties",
        ].sort(),
      )
      const after = yield* storage.read
      assert.strictEqual(after.consent?.value, "true")
      assert.strictEqual(after.m365AdminEmail?.value, "admin@contoso.com")
      assert.strictEqual(after.repositoryId?.value, "dev365")
      assert.strictEqual(emulator.servicenow.property(INSTANCE, newName), "dev365")

      emulator.requests.clear()
      yield* storage.write({}, after)
      assert.strictEqual(emulator.requests.count(), 0, "nothing to write, nothing sent")
    }),
  )

  it.live("a value whose record is gone fails the write with a NotFound that names the table", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const storage = storageOn(emulator)
      const current = yield* storage.read
      // A snapshot gone stale: the record was deleted after it was read.
      const stale = { ...current, sso: { value: "false", sysId: "0".repeat(32) } }
      const error = yield* Effect.flip(storage.write({ consent: "true", sso: "true" }, stale))
      assert.instanceOf(error, NotFound)
      assert.match((error as NotFound).message, /sys_properties/)
    }),
  )
})
