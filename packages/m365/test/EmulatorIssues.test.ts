/**
 * Where the emulator differs from the real service, found while testing this package. Each is an
 * `it.fails` (it passes while the difference exists) and is reported to the lead; when the
 * emulator is fixed the test starts failing — then make it a plain `it`.
 */
import { assert, describe, it } from "@effect/vitest"
import { startEmulator } from "@sn365/emulator"
import { Effect } from "effect"
import { adminApps, redirectUri } from "./support.ts"

describe("emulator differences", () => {
  // OData URL conventions: a single quote inside a string literal (here an alternate key,
  // `(uniqueName='o''brien')`) is doubled, and the service reads it back as one quote. The
  // emulator keeps both quotes, so the stored uniqueName is `o''brien`.
  it.fails("unescapes doubled quotes in alternate-key literals", async () => {
    await using e = await startEmulator()
    const { application } = await Effect.runPromise(
      adminApps(e).upsert("sn365-o'brien", { displayName: "quote", web: { redirectUris: [redirectUri()] } }),
    )
    assert.strictEqual(application.appId.length, 36) // the upsert itself worked
    assert.strictEqual(application.uniqueName, "sn365-o'brien")
  })
})
