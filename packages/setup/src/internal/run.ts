/**
 * What every operation shares: reading the current state (preflight and observation), running a
 * step with progress and retry events, and turning read failures into `PreflightFailed`.
 *
 * @module
 */
import { type RetryEvent, RetryObserver } from "@sn365/core"
import { Cause, Effect, Exit } from "effect"
import { type Observed, observe } from "../basic/observe.ts"
import { preflight } from "../basic/preflight.ts"
import type { BasicStep } from "../basic/steps.ts"
import { PreflightFailed, summarize } from "../Errors.ts"
import type { Phase } from "../Events.ts"
import type { StepReport } from "../Results.ts"
import type { Env } from "./env.ts"
import type { StepResult } from "./step.ts"

/** Longest a single step may run, including its retries and replication waits. */
const STEP_TIMEOUT = "10 minutes"

/** Announces a phase. */
export const phase = (env: Env, name: Phase) =>
  Effect.sync(() => env.emit({ _tag: "PhaseStarted", phase: name }))

/** Reports core's retries as `StepRetrying` events of `step`. */
const reportRetries = (env: Env, step: string, title: string) =>
  Effect.provideService(RetryObserver, (event: RetryEvent) =>
    Effect.sync(() =>
      env.emit({
        _tag: "StepRetrying",
        step,
        title,
        attempt: event.attempt,
        delayMs: event.delayMs,
        reason:
          event.reason.status === undefined
            ? event.reason.tag
            : `${event.reason.tag} (${event.reason.status})`,
      }),
    ),
  )

/** A failure to read the current state, as a preflight problem. */
export const readFailure = (check: string, error: unknown) => {
  const summary = summarize(error)
  return new PreflightFailed({
    problems: [
      {
        check,
        message: summary.message,
        remedy: summary.remedy ?? "Retry; if it persists, run with --verbose.",
        tag: summary.tag,
      },
    ],
  })
}

/**
 * Asks for the run's Entra access tokens ahead of the first reads, and lets those requests reach the
 * network before the reads are prepared: the tokens are the first hop of the critical path (bench
 * figure 1), and Node's fetch writes a request only on a later turn of the event loop (after a new
 * connection opens, or after it checks an idle one), so a token asked for along with a dozen reads
 * went out after all of them, and was answered after them. The scopes are those the run's Graph and
 * admin-center clients declare (none for the manual hand-off). Later callers share the token
 * request in flight, and the credential's cache after it; a failure is not kept, so the first hop
 * reports its own.
 */
const tokensFirst = (env: Env) =>
  Effect.gen(function* () {
    const scopes = new Set([...(env.apps.scopes ?? []), ...(env.support.scopes ?? [])])
    for (const scope of scopes) {
      // Started now, not on the scheduler's next turn, so that its request is the first prepared.
      yield* Effect.forkChild(Effect.ignore(env.credential.getToken(scope)), { startImmediately: true })
    }
    // Two turns: the first runs what was already scheduled, the second comes after those requests
    // were written (a new connection opens in between).
    yield* Effect.yieldNow
    yield* Effect.yieldNow
  })

/** Observation alone (teardown needs no preflight: it must work when the app is gone). */
export const observeOnly = (env: Env) =>
  tokensFirst(env).pipe(
    Effect.andThen(observe(env)),
    Effect.mapError((error) => readFailure("read current state", error)),
    reportRetries(env, "observe", "Reading current state"),
  )

/** Preflight and observation run together (both only read); preflight's problems win. */
export const readState = (env: Env) =>
  Effect.gen(function* () {
    yield* phase(env, "preflight")
    yield* tokensFirst(env)
    // Preflight and observation both read the admin center's Basic information: once is enough.
    const basicInformation = yield* Effect.cached(env.support.getBasicInformation())
    const [checked, observed] = yield* Effect.all(
      [preflight(env, basicInformation), Effect.exit(observe(env, { basicInformation }))],
      { concurrency: "unbounded" },
    )
    if (checked.problems.length > 0) return yield* new PreflightFailed({ problems: checked.problems })
    if (Exit.isFailure(observed))
      return yield* readFailure("read current state", Cause.squash(observed.cause))
    return { observed: observed.value as Observed, app: checked.app }
  }).pipe(reportRetries(env, "observe", "Reading current state"))

/**
 * Runs one step's effect with progress events, retry events and a time budget, and records its
 * report. Fails with the step's own failure.
 */
export const tracked = (
  env: Env,
  step: BasicStep,
  reports: Map<string, StepReport>,
  effect: Effect.Effect<StepResult, unknown>,
): Effect.Effect<StepResult, unknown> =>
  Effect.gen(function* () {
    const started = Date.now()
    const base = { step: step.id, title: step.title, owner: step.owner }
    env.emit({ _tag: "StepStarted", ...base })
    const exit = yield* effect.pipe(
      Effect.timeoutOrElse({
        duration: STEP_TIMEOUT,
        orElse: () => Effect.fail(new Error(`timed out after ${STEP_TIMEOUT}`)),
      }),
      reportRetries(env, step.id, step.title),
      Effect.exit,
    )
    const durationMs = Date.now() - started
    if (Exit.isSuccess(exit)) {
      const { outcome, detail } = exit.value
      const done = { ...base, outcome, ...(detail === undefined ? {} : { detail }), durationMs }
      reports.set(step.id, { ...done, status: "succeeded" })
      env.emit({ _tag: "StepSucceeded", ...done })
      return exit.value
    }
    const error = summarize(Cause.squash(exit.cause))
    reports.set(step.id, { ...base, status: "failed", error, durationMs })
    env.emit({ _tag: "StepFailed", ...base, error, durationMs })
    return yield* Effect.failCause(exit.cause)
  })
