import { assert, describe, it } from "@effect/vitest"
import { makeDeadlines } from "../src/internal/deadlines.ts"

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe("shared deadlines", () => {
  it("fires each deadline once, not before its time and at most about a tick after", async () => {
    const deadlines = makeDeadlines(5)
    const fired: Array<[string, number]> = []
    const started = performance.now()
    const at = (name: string) => () => fired.push([name, performance.now() - started])
    deadlines.after(40, at("late"))
    deadlines.after(15, at("early"))
    await sleep(120)
    assert.deepStrictEqual(
      fired.map(([name]) => name),
      ["early", "late"],
    )
    const [[, early], [, late]] = fired as [[string, number], [string, number]]
    assert.isAtLeast(early, 15)
    assert.isAtLeast(late, 40)
    assert.isBelow(late, 100, "a tick is 5 ms")
    assert.strictEqual(deadlines.pending(), 0)
  })

  it("a cancelled deadline never fires; cancelling twice, or after it fired, is harmless", async () => {
    const deadlines = makeDeadlines(5)
    let fired = 0
    const cancel = deadlines.after(20, () => fired++)
    cancel()
    cancel()
    const fires = deadlines.after(10, () => fired++)
    await sleep(60)
    fires()
    assert.strictEqual(fired, 1)
  })

  it("keeps the process alive only while a deadline is pending, and stops ticking when idle", async () => {
    const deadlines = makeDeadlines(5)
    assert.isFalse(deadlines.keepsAlive())
    const first = deadlines.after(60_000, () => undefined)
    const second = deadlines.after(60_000, () => undefined)
    assert.isTrue(deadlines.keepsAlive())
    first()
    assert.isTrue(deadlines.keepsAlive(), "one is still pending")
    second()
    // A CLI whose last request has answered exits at once, without waiting out the timeout.
    assert.isFalse(deadlines.keepsAlive())
    const third = deadlines.after(60_000, () => undefined)
    assert.isTrue(deadlines.keepsAlive(), "the interval is held again")
    third()
    assert.isFalse(deadlines.keepsAlive())
    assert.isTrue(deadlines.ticking(), "released, not yet stopped")
    await sleep(30)
    assert.strictEqual(deadlines.pending(), 0)
    assert.isFalse(deadlines.ticking(), "a tick with nothing pending stops the interval")
  })
})
