/**
 * What a faulty run must end with, and the check of it, shared by the fault matrices of apply and
 * teardown: success (retrying what is transient, honouring Retry-After), or the expected typed
 * error carrying a remedy — before any write when the fault could be known up front.
 */
import { assert } from "@effect/vitest"
import { Cause, Exit } from "effect"
import type { SetupEvent } from "../../../src/Events.ts"
import { type World, writesIn } from "./world.ts"

/** What a faulty run must end with. */
export type Expectation =
  | {
      readonly outcome: "succeeds"
      /** A retry event's reason must match (the fault was met and retried, not avoided). */
      readonly retried?: RegExp
      /** Every retry of this reason waited exactly this long (the server's Retry-After). */
      readonly delayMs?: number
    }
  | {
      readonly outcome: "fails"
      /** The error's tag (a SetupError). */
      readonly tag: ReadonlyArray<string>
      /** Matched against the error's message, which carries the cause and its remedy. */
      readonly message: RegExp
      /** Preflight knew: nothing was written. */
      readonly noWrites?: boolean
    }

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return undefined
  assert.isFalse(Cause.hasDies(exit.cause), `a defect, not a typed error:\n${Cause.pretty(exit.cause)}`)
  return Cause.squash(exit.cause) as { _tag?: string; message?: string }
}

/** What the error tells a person to do (the underlying error's remedy, or each problem's). */
const remedyOf = (failure: unknown): string => {
  const e = failure as {
    error?: { remedy?: string }
    problems?: ReadonlyArray<{ remedy: string }>
    remedy?: string
    message?: string
  }
  if (e.error !== undefined) return e.error.remedy ?? ""
  if (e.problems !== undefined) return e.problems.map((p) => p.remedy).join("\n")
  return e.remedy ?? e.message?.split("Remedy: ")[1] ?? ""
}

const retries = (events: ReadonlyArray<SetupEvent>) =>
  events.filter((e): e is Extract<SetupEvent, { _tag: "StepRetrying" }> => e._tag === "StepRetrying")

/**
 * Asserts that a run ended as `expect` says. `writesBefore` is how many writes the emulator had
 * logged before the run (a `noWrites` run must add none).
 */
export const assertOutcome = (
  expect: Expectation,
  exit: Exit.Exit<unknown, unknown>,
  events: ReadonlyArray<SetupEvent>,
  world: World,
  writesBefore = 0,
) => {
  const failure = failureOf(exit)
  if (expect.outcome === "succeeds") {
    assert.isUndefined(failure, `expected success, got ${failure?._tag}: ${failure?.message}`)
    const seen = retries(events)
    if (expect.retried !== undefined) {
      const matching = seen.filter((e) => expect.retried?.test(e.reason))
      assert.isNotEmpty(matching, `no retry matched; retries: ${JSON.stringify(seen)}`)
      if (expect.delayMs !== undefined)
        for (const e of matching) assert.strictEqual(e.delayMs, expect.delayMs, JSON.stringify(e))
    }
    return
  }
  assert.isDefined(failure, "expected a failure, the run succeeded")
  assert.include(expect.tag, failure?._tag, failure?.message)
  const remedy = remedyOf(failure)
  assert.match(`${failure?.message}\n${remedy}`, expect.message)
  assert.isAbove(remedy.trim().length, 10, `no remedy: ${failure?.message}`)
  if (expect.noWrites)
    assert.deepStrictEqual(
      writesIn(world.emulator)
        .slice(writesBefore)
        .map((r) => `${r.method} ${r.path}`),
      [],
      "preflight failed but something was written",
    )
}
