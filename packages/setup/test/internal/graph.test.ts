import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { assertAcyclic, runGraph } from "../../src/internal/graph.ts"

const node = (id: string, dependsOn: Array<string> = []) => ({ id, dependsOn })

describe("runGraph", () => {
  it.effect("runs independent nodes concurrently and dependents after their dependencies", () =>
    Effect.gen(function* () {
      const log: Array<string> = []
      const nodes = [node("a"), node("b"), node("c", ["a", "b"]), node("d", ["c"])]
      const fiber = yield* Effect.forkChild(
        runGraph(nodes, (n) =>
          Effect.gen(function* () {
            log.push(`start ${n.id}`)
            yield* Effect.sleep("1 second")
            log.push(`end ${n.id}`)
          }),
        ),
      )
      yield* TestClock.adjust("1 second")
      // a and b ran side by side: both started before either ended.
      assert.deepStrictEqual(log.slice(0, 2).sort(), ["start a", "start b"])
      yield* TestClock.adjust("2 seconds")
      const outcomes = yield* Fiber.join(fiber)
      assert.deepStrictEqual(log.slice(4), ["start c", "end c", "start d", "end d"])
      assert.deepStrictEqual(
        [...outcomes.values()].map((o) => o.status),
        ["succeeded", "succeeded", "succeeded", "succeeded"],
      )
    }),
  )

  it.effect(
    "after a failure, skips dependents and everything not yet started, but lets running nodes finish",
    () =>
      Effect.gen(function* () {
        const finished: Array<string> = []
        const nodes = [node("slow"), node("boom"), node("after-boom", ["boom"]), node("after-slow", ["slow"])]
        const fiber = yield* Effect.forkChild(
          runGraph(nodes, (n) =>
            n.id === "boom"
              ? Effect.fail("kaput")
              : Effect.sleep(n.id === "slow" ? "5 seconds" : "1 second").pipe(
                  Effect.tap(() => Effect.sync(() => finished.push(n.id))),
                ),
          ),
        )
        yield* TestClock.adjust("10 seconds")
        const outcomes = yield* Fiber.join(fiber)
        assert.deepStrictEqual(finished, ["slow"])
        assert.deepStrictEqual(outcomes.get("boom"), { status: "failed", error: "kaput" })
        assert.strictEqual(outcomes.get("slow")?.status, "succeeded")
        assert.deepStrictEqual(outcomes.get("after-boom"), {
          status: "skipped",
          reason: "depends on 'boom', which did not complete",
        })
        assert.deepStrictEqual(outcomes.get("after-slow"), {
          status: "skipped",
          reason: "not started because 'boom' failed",
        })
      }),
  )

  it("rejects unknown dependencies and cycles", () => {
    assert.throws(() => assertAcyclic([node("a", ["x"])]), /unknown step 'x'/)
    assert.throws(() => assertAcyclic([node("a", ["b"]), node("b", ["a"])]), /cycle: a → b → a/)
    assertAcyclic([node("a"), node("b", ["a"])])
  })
})
