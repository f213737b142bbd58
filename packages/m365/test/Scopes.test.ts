/** The scopes each client declares are the ones its requests are signed with. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { apiSupportIntegration } from "../src/ApiSupportIntegration.ts"
import { makeApplications } from "../src/Applications.ts"
import type { TokenCredential } from "../src/Credential.ts"
import { manualSupportIntegration } from "../src/ManualSupportIntegration.ts"
import { adminCredential, emulator, uniqueName } from "./support.ts"

/** The emulator's credential, noting every scope asked for. */
const recordingCredential = (inner: TokenCredential) => {
  const asked = new Set<string>()
  const credential: TokenCredential = {
    getToken: (scope, options) => {
      asked.add(scope)
      return inner.getToken(scope, options)
    },
  }
  return { asked, credential }
}

describe("declared token scopes", () => {
  it.live("the Graph client declares the one scope its requests ask for", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const { asked, credential } = recordingCredential(adminCredential(e))
      const apps = makeApplications({ credential, fetch: e.fetch })
      yield* apps.findByUniqueName(uniqueName())
      yield* apps.findByDisplayName("nobody")
      assert.deepStrictEqual([...asked], [...(apps.scopes ?? [])])
      assert.lengthOf(asked, 1)
    }),
  )

  it.live("the admin-center client declares the one scope its requests ask for", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const { asked, credential } = recordingCredential(adminCredential(e))
      const support = apiSupportIntegration({ credential, fetch: e.fetch })
      yield* support.getBasicInformation()
      yield* support.listRepositories()
      assert.deepStrictEqual([...asked], [...(support.scopes ?? [])])
      assert.lengthOf(asked, 1)
    }),
  )

  it.effect("the manual hand-off declares none", () =>
    Effect.sync(() => {
      const support = manualSupportIntegration({ handoff: async () => true })
      assert.deepStrictEqual(support.scopes, [])
    }),
  )
})
