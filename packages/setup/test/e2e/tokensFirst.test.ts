import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import type { Emulator } from "@sn365/emulator"
import { Effect } from "effect"
import { PreflightFailed } from "../../src/Errors.ts"
import { apply, teardown } from "../../src/Setup.ts"
import { configInput, decoded, emulatorForSetup, optionsFor } from "../support/emulator.ts"

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/

/** The emulator's fetch, noting the host and path of each request in the order it is handed over. */
const recordingFetch =
  (emulator: Emulator, handed: Array<string>): Fetch =>
  (request) => {
    const url = new URL(request.url)
    handed.push(`${url.hostname}${url.pathname}`)
    return emulator.fetch(request)
  }

const isToken = (request: string) => TOKEN_PATH.test(request)

describe("the first hop: Entra tokens before the reads", () => {
  it.live("apply asks for the Graph and admin-center tokens before any other request", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const config = yield* decoded(configInput(emulator))
      const handed: Array<string> = []
      const { options } = optionsFor(emulator, { fetch: recordingFetch(emulator, handed) })
      yield* apply(config, options)
      // Before, the dozen ServiceNow reads of preflight and observation were handed over first, and
      // written to the network first: the token, needed by the next hop, was answered last.
      assert.deepStrictEqual(
        handed.slice(0, 2).map(isToken),
        [true, true],
        `first requests: ${handed.slice(0, 3).join(", ")}`,
      )
      assert.lengthOf(handed.filter(isToken), 3, "Graph, admin center, and the new secret's confirmation")
    }),
  )

  it.live(
    "with the admin center in manual mode only the Graph token is asked for; teardown does the same",
    () =>
      Effect.gen(function* () {
        const emulator = yield* emulatorForSetup()
        const config = yield* decoded(configInput(emulator, { microsoft365: { mode: "manual" } }))
        const handed: Array<string> = []
        const { options } = optionsFor(emulator, {
          fetch: recordingFetch(emulator, handed),
          manualHandoff: async () => true,
        })
        yield* teardown(config, options)
        assert.isTrue(isToken(handed[0] ?? ""), `first request: ${handed[0]}`)
        assert.lengthOf(handed.filter(isToken), 1, "no admin-center token in manual mode")
      }),
  )

  it.live("a refused credential is asked once, and still fails the preflight with its own problem", () =>
    Effect.gen(function* () {
      const emulator = yield* emulatorForSetup()
      const input = configInput(emulator)
      const config = yield* decoded({
        ...input,
        entra: { ...input.entra, auth: { ...input.entra.auth, clientSecret: "not-the-secret" } },
      })
      const handed: Array<string> = []
      const { options } = optionsFor(emulator, { fetch: recordingFetch(emulator, handed) })
      const error = yield* Effect.flip(apply(config, options))
      assert.instanceOf(error, PreflightFailed)
      assert.match(
        (error as PreflightFailed).problems.map((p) => p.message).join("\n"),
        /AADSTS7000215|client secret/i,
      )
      // One token request per scope: the reads that need a token share the one already asked for.
      assert.lengthOf(handed.filter(isToken), 2, handed.filter(isToken).join(", "))
    }),
  )
})
