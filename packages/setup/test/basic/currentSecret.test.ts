import { assert, describe, it } from "@effect/vitest"
import { currentSecret, renewalWindowMs } from "../../src/basic/entra.ts"
import { providerComments } from "../../src/Names.ts"

const DAY_MS = 86_400_000
const NOW = Date.parse("2026-11-27T00:00:00Z")
const NAME = "sn365 ServiceNow outbound provider"
const KEY_ID = "0a1b2c3d-0000-4000-8000-000000000001"
const names = { secretDisplayName: NAME, marker: "Managed by sn365 (prefix sn365)" }
const env = { names, config: { integration: { secretLifetimeDays: 180 } } } as never

/** An app holding one managed secret that ends `inDays` from NOW, recorded on the provider. */
const observedWith = (inDays: number) =>
  ({
    app: {
      passwordCredentials: [
        { displayName: NAME, keyId: KEY_ID, endDateTime: new Date(NOW + inDays * DAY_MS).toISOString() },
      ],
    },
    outboundProvider: { comments: providerComments(names as never, KEY_ID) },
  }) as never

describe("currentSecret", () => {
  it("counts a secret inside the renewal window as due for renewal, and as still held when asked for 0 ms", () => {
    assert.strictEqual(renewalWindowMs(env), 30 * DAY_MS)
    const dueSoon = observedWith(10)
    assert.isUndefined(currentSecret(dueSoon, env, NOW))
    assert.isDefined(currentSecret(dueSoon, env, NOW, 0))
    assert.isDefined(currentSecret(observedWith(60), env, NOW))
    assert.isUndefined(currentSecret(observedWith(-1), env, NOW, 0))
  })
})
