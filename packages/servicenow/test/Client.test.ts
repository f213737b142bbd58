import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Emulator } from "@sn365/emulator"
import { Effect } from "effect"
import { instanceOrigin, makeServiceNow, ServiceNow } from "../src/Client.ts"
import { ADMIN, FAST_RETRY, freshInstance, start, urlOf } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

describe("makeServiceNow and the ServiceNow service", () => {
  it("accepts an instance URL or a bare instance name", () => {
    assert.strictEqual(instanceOrigin("dev12345"), "https://dev12345.service-now.com")
    assert.strictEqual(instanceOrigin("DEV12345"), "https://dev12345.service-now.com")
    assert.strictEqual(
      instanceOrigin("https://dev12345.service-now.com/now/nav/ui"),
      "https://dev12345.service-now.com",
    )
    assert.strictEqual(
      instanceOrigin("https://acme.servicenowservices.com"),
      "https://acme.servicenowservices.com",
    )
    assert.throws(() => instanceOrigin("not a url"), /instanceUrl "not a url" is neither an instance name/)
  })

  it.live("is provided by ServiceNow.layer", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const count = yield* Effect.gen(function* () {
        const sn = yield* ServiceNow
        assert.strictEqual(sn.instanceUrl, urlOf(instance))
        return yield* sn.table("sys_user").count()
      }).pipe(
        Effect.provide(
          ServiceNow.layer({ instanceUrl: urlOf(instance), auth: ADMIN, fetch: emulator.fetch }),
        ),
      )
      assert.strictEqual(count, 2)
    }),
  )

  it.live("refuses plain http to a non-loopback host before sending anything", () =>
    Effect.gen(function* () {
      const before = emulator.requests.count()
      const client = makeServiceNow({
        instanceUrl: "http://dev12345.service-now.com",
        auth: ADMIN,
        fetch: emulator.fetch,
        retry: FAST_RETRY,
      })
      const error = yield* Effect.flip(client.table("sys_user").count())
      assert.strictEqual(error._tag, "InsecureTransport")
      assert.strictEqual(emulator.requests.count(), before)
    }),
  )
})
