import { assert, describe, it } from "@effect/vitest"
import { ApplyFailed, PreflightFailed, summarize } from "../src/Errors.ts"

describe("setup errors", () => {
  it("state the remedy once, whether or not the underlying message already contains it", () => {
    const withRemedyInMessage = new ApplyFailed({
      operation: "teardown",
      step: "x",
      title: "Remove X",
      error: { tag: "T", message: "cannot — do Y by hand", remedy: "do Y by hand" },
      completed: ["a"],
      notStarted: ["b", "c"],
    })
    assert.strictEqual(withRemedyInMessage.message.split("do Y by hand").length - 1, 1)
    assert.include(withRemedyInMessage.message, "run teardown again")
    assert.include(withRemedyInMessage.message, "1 step(s) completed and stay in place; 2 did not start")

    const separate = new ApplyFailed({
      operation: "apply",
      step: "x",
      title: "X",
      error: { tag: "T", message: "broken", remedy: "fix it" },
      completed: [],
      notStarted: [],
    })
    assert.include(separate.message, "broken\nRemedy: fix it")
    assert.include(separate.message, "run apply again")

    const preflight = new PreflightFailed({
      problems: [
        { check: "a", message: "m1", remedy: "r1" },
        { check: "b", message: "m2 (r2)", remedy: "r2" },
      ],
    })
    assert.include(preflight.message, "m1\n    Remedy: r1")
    assert.notInclude(preflight.message, "Remedy: r2")
  })

  it("summarises tagged errors with their remedy, and anything else as an Error", () => {
    assert.deepStrictEqual(summarize({ _tag: "NotFound", message: "gone", remedy: "create it" }), {
      tag: "NotFound",
      message: "gone",
      remedy: "create it",
    })
    assert.deepStrictEqual(summarize(new Error("plain")), { tag: "Error", message: "plain" })
    assert.deepStrictEqual(summarize("text"), { tag: "Error", message: "text" })
  })
})
