/**
 * Waiting out Microsoft Entra's replication lag, as Microsoft advises (entra-graph-msal.md §2.1):
 * right after a write, another replica may still answer "not found" (404 on a new application, 400
 * `NoBackingApplicationObject` when creating its service principal, AADSTS7000215 for a new
 * secret). Those answers are retried with capped, jittered exponential backoff within a budget;
 * every wait is reported to core's `RetryObserver` like any other retry, and when the budget runs
 * out the operation fails with {@link ReplicationLag}.
 *
 * Transient failures (429, 5xx, resets) are not this module's business: core's `withRetry` handles
 * them inside each attempt.
 *
 * @module
 */
import {
  backoffDelayMs,
  type HttpError,
  isHttpError,
  type RetryEvent,
  RetryObserver,
  type RetryOptions,
} from "@sn365/core"
import { Clock, Duration, Effect, Random, Schedule } from "effect"
import { ReplicationLag } from "./Errors.ts"
import { REPLICATION_BASE_DELAY_MS, REPLICATION_BUDGET_MS, REPLICATION_MAX_DELAY_MS } from "./vendor.ts"

/** How long and how often to wait for replication. Every field has a default. */
export interface ReplicationPolicy {
  /** Total time to wait. Default 2 minutes. */
  readonly budget?: Duration.Input | undefined
  /** First wait. Default 1 s. */
  readonly baseDelay?: Duration.Input | undefined
  /** Cap of one wait. Default 16 s. */
  readonly maxDelay?: Duration.Input | undefined
}

/** What a replication wait needs to know about a failure. @internal */
export interface LagFailure {
  readonly _tag: string
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly status?: number | undefined
  readonly vendorCode?: string | undefined
  readonly requestId?: string | undefined
  readonly vendorMessage?: string | undefined
}

/** One replication wait. @internal */
export interface WaitOptions<E> {
  /** Named in the error: `addPassword`, `ensureServicePrincipal`, `confirmSecret`… */
  readonly operation: string
  /** The object waited for. */
  readonly target: string
  readonly policy: ReplicationPolicy
  /** Whether a failure means "not replicated yet". */
  readonly isLag: (error: E) => boolean
  readonly remedy: string
}

const millis = (input: Duration.Input | undefined, fallback: number): number =>
  input === undefined ? fallback : Duration.toMillis(Duration.fromInputUnsafe(input))

const STATUS_TAGS: Readonly<Record<number, HttpError["_tag"]>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  429: "Throttled",
}

const reasonOf = (e: LagFailure): RetryEvent["reason"] => ({
  tag: isHttpError(e) ? e._tag : (STATUS_TAGS[e.status ?? 0] ?? "BadRequest"),
  ...(e.status === undefined ? {} : { status: e.status }),
  ...(e.vendorCode === undefined ? {} : { code: e.vendorCode }),
})

const report = (e: LagFailure, attempt: number, delayMs: number, elapsedMs: number) =>
  Effect.gen(function* () {
    const observe = yield* RetryObserver
    const event: RetryEvent = {
      attempt,
      delayMs,
      elapsedMs,
      reason: reasonOf(e),
      method: e.method ?? "POST",
      url: e.url ?? "(token request)",
    }
    // An observer's bug must not turn a wait into a failure.
    yield* observe(event).pipe(Effect.catchDefect(() => Effect.void))
    yield* Effect.logDebug(`replication wait ${attempt}: ${event.method} ${event.url} in ${delayMs} ms`)
  })

/**
 * Retries `effect` while its failure is replication lag, within the policy's budget; then fails
 * with {@link ReplicationLag}. Other failures surface unchanged at once. @internal
 */
export const waitForReplication =
  <E extends LagFailure>(options: WaitOptions<E>) =>
  <A, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | ReplicationLag, R> =>
    Effect.gen(function* () {
      const budgetMs = millis(options.policy.budget, REPLICATION_BUDGET_MS)
      const backoff: RetryOptions = {
        baseDelay: millis(options.policy.baseDelay, REPLICATION_BASE_DELAY_MS),
        maxDelay: millis(options.policy.maxDelay, REPLICATION_MAX_DELAY_MS),
        jitter: 0.5,
      }
      const started = yield* Clock.currentTimeMillis
      const schedule = Schedule.forever.pipe(
        Schedule.setInputType<E>(),
        Schedule.modifyDelay(({ attempt }) =>
          Effect.map(Random.next, (random) => Duration.millis(backoffDelayMs(attempt, random, backoff))),
        ),
        Schedule.while(
          ({ input, elapsed, duration }) =>
            options.isLag(input) && elapsed + Duration.toMillis(duration) <= budgetMs,
        ),
        Schedule.tap(({ input, attempt, elapsed, duration }) =>
          report(input, attempt, Duration.toMillis(duration), elapsed),
        ),
      )
      const retried: Effect.Effect<A, E, R> = Effect.retry(effect, schedule)
      return yield* retried.pipe(
        Effect.catch(
          (error): Effect.Effect<never, E | ReplicationLag> =>
            options.isLag(error)
              ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  Effect.fail(
                    new ReplicationLag({
                      operation: options.operation,
                      target: options.target,
                      waitedMs: now - started,
                      method: error.method,
                      url: error.url,
                      status: error.status,
                      vendorCode: error.vendorCode,
                      requestId: error.requestId,
                      vendorMessage: error.vendorMessage,
                      remedy: options.remedy,
                    }),
                  ),
                )
              : Effect.fail(error),
        ),
      )
    })

/**
 * Remembers what this client created and when, so that a 404 on one of those objects is read as
 * replication lag (and waited for) rather than as "already gone". @internal
 */
export const makeRecentWrites = (windowMs: number) => {
  const written = new Map<string, number>()
  return {
    remember: (...keys: ReadonlyArray<string | undefined>) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        for (const key of keys) if (key !== undefined) written.set(key.toLowerCase(), now)
      }),
    isRecent: (key: string) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const at = written.get(key.toLowerCase())
        return at !== undefined && now - at <= windowMs
      }),
  }
}
