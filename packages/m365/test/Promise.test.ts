/** The Promise facade: same values, same tagged errors. */
import { assert, describe, it } from "@effect/vitest"
import { startEmulator } from "@sn365/emulator"
import { Redacted } from "effect"
import { ApplicationNotFound } from "../src/Errors.ts"
import { promiseApi } from "../src/Promise.ts"
import { adminApps, adminCredential, redirectUri, uniqueName } from "./support.ts"

describe("promiseApi", () => {
  it("resolves with the values and rejects with the tagged errors themselves", async () => {
    await using e = await startEmulator()
    const credential = promiseApi(adminCredential(e))
    const token = await credential.getToken("https://graph.microsoft.com/.default")
    assert.isTrue(Redacted.isRedacted(token))

    const apps = promiseApi(adminApps(e))
    const { application, created } = await apps.upsert(uniqueName(), {
      displayName: "Outbound",
      web: { redirectUris: [redirectUri()] },
    })
    assert.isTrue(created)
    assert.strictEqual((await apps.get(application.appId)).id, application.id)

    const error = await apps.get("00000000-0000-4000-8000-00000000dead").catch((e: unknown) => e)
    assert.instanceOf(error, ApplicationNotFound)
    assert.strictEqual((error as ApplicationNotFound)._tag, "ApplicationNotFound")
  })
})
