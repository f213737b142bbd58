import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { call } from "../src/Call.ts"
import { NotFound } from "../src/HttpError.ts"
import { toPromise } from "../src/Promise.ts"
import { makeClient } from "./support/api.ts"
import { startServer } from "./support/server.ts"

describe("toPromise", () => {
  it("resolves with the value", async () => {
    assert.strictEqual(await toPromise(Effect.succeed(42)), 42)
  })

  it("rejects with the tagged error instance itself", async () => {
    const error = new NotFound({ method: "GET", url: "https://x.example/", status: 404 })
    const rejected = await toPromise(Effect.fail(error)).catch((e: unknown) => e)
    assert.strictEqual(rejected, error)
    assert.instanceOf(rejected, NotFound)
  })

  it("rejects with a defect's own error", async () => {
    const bug = new Error("bug")
    assert.strictEqual(await toPromise(Effect.die(bug)).catch((e: unknown) => e), bug)
  })

  it("rejects with the caller's own abort reason", async () => {
    const controller = new AbortController()
    const reason = new Error("user pressed cancel")
    const pending = toPromise(Effect.never, { signal: controller.signal }).catch((e: unknown) => e)
    controller.abort(reason)
    assert.strictEqual(await pending, reason)
  })

  it.live("aborting the signal interrupts the effect and aborts its request", () =>
    Effect.gen(function* () {
      const controller = new AbortController()
      const server = yield* startServer(() => controller.abort())
      const api = makeClient(server.origin)
      const outcome = yield* Effect.promise(() =>
        toPromise(
          call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal })),
          { signal: controller.signal },
        ).then(
          () => "resolved",
          (error: unknown) => error,
        ),
      )
      // Rejected as fetch rejects: with the signal's reason, an AbortError.
      assert.strictEqual(outcome, controller.signal.reason)
      assert.instanceOf(outcome, DOMException)
      assert.strictEqual((outcome as DOMException).name, "AbortError")
      yield* Effect.promise(() => server.clientAborted)
    }),
  )
})
