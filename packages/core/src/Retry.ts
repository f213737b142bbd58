/**
 * The retry policy: exponential backoff with jitter and a cap, the server's requested delay when
 * it gives one, transient errors only, bounded by attempts and elapsed time, and every retry
 * reported to a {@link RetryObserver}.
 *
 * @module
 */
import { Context, Duration, Effect, Random, Schedule } from "effect"
import { type HttpError, isHttpError, isTransient } from "./HttpError.ts"

/** Options of {@link retrySchedule} and {@link withRetry}; every field has a default. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 4 (5 attempts). */
  readonly maxRetries?: number | undefined
  /** First backoff delay. Default 500 ms. */
  readonly baseDelay?: Duration.Input | undefined
  /** Growth of the backoff per retry. Default 2. */
  readonly factor?: number | undefined
  /** Cap of a backoff delay (not of a server's requested delay). Default 30 s. */
  readonly maxDelay?: Duration.Input | undefined
  /** Fraction of each backoff delay that is random: a delay `d` becomes `d·(1−jitter·r)`, r ∈ [0, 1). Default 0.5. */
  readonly jitter?: number | undefined
  /** No retry starts later than this after the first failure. Default 2 minutes. */
  readonly maxElapsed?: Duration.Input | undefined
  /** A server asking to wait longer than this is not waited for; its error surfaces. Default 60 s. */
  readonly maxRetryAfter?: Duration.Input | undefined
  /**
   * Whether the call may be repeated. Default: from the failed request's method — GET, HEAD,
   * OPTIONS, PUT, DELETE and TRACE are, POST and PATCH are not. A non-idempotent call is retried
   * only when the server provably did not process it (`Throttled`, or a `NetworkError` before
   * connecting); `true` retries every transient error, `false` none.
   */
  readonly idempotent?: boolean | undefined
  /**
   * Errors to retry although they are not transient, e.g. a Graph `NotFound` just after a create
   * (replication lag). Still subject to idempotency and the limits.
   */
  readonly alsoRetry?: ((error: HttpError) => boolean) | undefined
}

/** One retry, as reported to the {@link RetryObserver}. */
export interface RetryEvent {
  /** 1 for the first retry (the second attempt), 2 for the next… */
  readonly attempt: number
  /** How long until the retry starts, in ms. */
  readonly delayMs: number
  /** Time since the first failure, in ms. */
  readonly elapsedMs: number
  /** What failed: the error's tag, its status or system code when it has one. */
  readonly reason: {
    readonly tag: HttpError["_tag"]
    readonly status?: number | undefined
    readonly code?: string | undefined
  }
  readonly method: string
  /** Redacted, as in the error. */
  readonly url: string
}

/**
 * Where retries are reported: a callback returning an Effect, default a no-op. Provide one to turn
 * retries into progress events.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provideService(RetryObserver, (event) => Queue.offer(progress, { _tag: "Retrying", ...event })))
 * ```
 */
export const RetryObserver = Context.Reference<(event: RetryEvent) => Effect.Effect<void>>(
  "@sn365/core/RetryObserver",
  { defaultValue: () => () => Effect.void },
)

const DEFAULTS = {
  maxRetries: 4,
  baseDelay: Duration.millis(500),
  factor: 2,
  maxDelay: Duration.seconds(30),
  jitter: 0.5,
  maxElapsed: Duration.minutes(2),
  maxRetryAfter: Duration.seconds(60),
} as const

interface Resolved {
  readonly maxRetries: number
  readonly baseDelayMs: number
  readonly factor: number
  readonly maxDelayMs: number
  readonly jitter: number
  readonly maxElapsedMs: number
  readonly maxRetryAfterMs: number
  readonly idempotent: boolean | undefined
  readonly alsoRetry: ((error: HttpError) => boolean) | undefined
}

const millis = (input: Duration.Input | undefined, fallback: Duration.Duration): number =>
  Duration.toMillis(input === undefined ? fallback : Duration.fromInputUnsafe(input))

const resolve = (o: RetryOptions): Resolved => ({
  maxRetries: o.maxRetries ?? DEFAULTS.maxRetries,
  baseDelayMs: millis(o.baseDelay, DEFAULTS.baseDelay),
  factor: o.factor ?? DEFAULTS.factor,
  maxDelayMs: millis(o.maxDelay, DEFAULTS.maxDelay),
  jitter: Math.min(1, Math.max(0, o.jitter ?? DEFAULTS.jitter)),
  maxElapsedMs: millis(o.maxElapsed, DEFAULTS.maxElapsed),
  maxRetryAfterMs: millis(o.maxRetryAfter, DEFAULTS.maxRetryAfter),
  idempotent: o.idempotent,
  alsoRetry: o.alsoRetry,
})

/**
 * The backoff delay before retry number `attempt` (1-based): `baseDelay·factor^(attempt−1)`, capped
 * at `maxDelay`, then reduced by up to `jitter` of itself using `random` ∈ [0, 1). Always within
 * `[capped·(1−jitter), capped]`.
 *
 * @example
 * ```ts
 * backoffDelayMs(3, 0, { baseDelay: "500 millis" })   // 2000
 * backoffDelayMs(3, 0.5, { baseDelay: "500 millis" }) // 1500 (jitter 0.5)
 * ```
 */
export const backoffDelayMs = (attempt: number, random: number, options: RetryOptions = {}): number => {
  const o = resolve(options)
  const capped = Math.min(o.maxDelayMs, o.baseDelayMs * o.factor ** Math.max(0, attempt - 1))
  return Math.round(capped * (1 - o.jitter * random))
}

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
// The request never reached the server's application: safe to send again whatever the method.
const NOT_CONNECTED_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EAI_AGAIN"])

const provablyNotProcessed = (e: HttpError): boolean =>
  e._tag === "Throttled" ||
  (e._tag === "NetworkError" && e.code !== undefined && NOT_CONNECTED_CODES.has(e.code))

const mayRetry = (e: HttpError, o: Resolved): boolean => {
  if (!isTransient(e) && o.alsoRetry?.(e) !== true) return false
  if (o.idempotent === true) return true
  if (o.idempotent === false) return false
  return IDEMPOTENT_METHODS.has(e.method.toUpperCase()) || provablyNotProcessed(e)
}

const serverDelayMs = (e: HttpError): number | undefined =>
  e._tag === "Throttled" || e._tag === "ServerError" ? e.retryAfterMs : undefined

const reasonOf = (e: HttpError): RetryEvent["reason"] => ({
  tag: e._tag,
  ...("status" in e && e.status !== undefined ? { status: e.status } : {}),
  ...(e._tag === "NetworkError" && e.code !== undefined ? { code: e.code } : {}),
})

const report = (e: HttpError, attempt: number, delayMs: number, elapsedMs: number) =>
  Effect.gen(function* () {
    const event: RetryEvent = {
      attempt,
      delayMs,
      elapsedMs,
      reason: reasonOf(e),
      method: e.method,
      url: e.url,
    }
    const observe = yield* RetryObserver
    // An observer's bug must not turn a retry into a failure.
    yield* observe(event).pipe(Effect.catchDefect(() => Effect.void))
    const status = event.reason.status ?? event.reason.code ?? ""
    yield* Effect.logDebug(
      `retry ${attempt} of ${e.method} ${e.url} in ${delayMs} ms after ${e._tag} ${status}`.trimEnd(),
    )
  })

/**
 * The retry policy as a `Schedule` over failures. Non-`HttpError` failures are not retried.
 *
 * @example
 * ```ts
 * call(run).pipe(Effect.retry(retrySchedule({ maxRetries: 8, maxElapsed: "5 minutes" })))
 * ```
 */
export const retrySchedule = (options: RetryOptions = {}): Schedule.Schedule<number, unknown> => {
  const o = resolve(options)
  return Schedule.forever.pipe(
    Schedule.setInputType<unknown>(),
    Schedule.modifyDelay(({ input, attempt }) =>
      Effect.map(Random.next, (random) => {
        const server = isHttpError(input) ? serverDelayMs(input) : undefined
        return Duration.millis(server ?? backoffDelayMs(attempt, random, options))
      }),
    ),
    Schedule.while(({ input, attempt, elapsed, duration }) => {
      if (!isHttpError(input) || attempt > o.maxRetries || !mayRetry(input, o)) return false
      const server = serverDelayMs(input)
      if (server !== undefined && server > o.maxRetryAfterMs) return false
      return elapsed + Duration.toMillis(duration) <= o.maxElapsedMs
    }),
    Schedule.tap(({ input, attempt, elapsed, duration }) =>
      isHttpError(input) ? report(input, attempt, Duration.toMillis(duration), elapsed) : Effect.void,
    ),
  )
}

/**
 * Retries an effect with {@link retrySchedule}. When retries run out or an error is not retryable,
 * the last error surfaces unchanged. `idempotent`, when given, overrides `options.idempotent` for
 * these calls (a client's shared options, and a request it knows to be safe, or unsafe, to repeat).
 * The schedule is built once per options object and override, so pass long-lived options, and do
 * not change an options object once it has been used.
 *
 * @example
 * ```ts
 * call((signal) => api.GET("/applications", { signal })).pipe(withRetry())
 * call((signal) => api.POST("/table/{tableName}", { params, body, signal })).pipe(withRetry({ idempotent: false }))
 * call(run).pipe(withRetry(clientOptions.retry, true)) // a keyed write that is safe to repeat
 * ```
 */
export const withRetry = (options: RetryOptions = NO_OPTIONS, idempotent?: boolean) => {
  const schedule = scheduleFor(options, idempotent)
  // Most requests succeed at once, so the schedule starts at the first failure, which it then sees
  // as its first input — as `Effect.retry(self, schedule)` would, without its cost on every success
  // (bench figure 5). The schedule's clock (`elapsed`) starts at its first step either way.
  return <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.catch(self, (first) => {
      let replayed = false
      const again = Effect.suspend(() => {
        if (replayed) return self
        replayed = true
        return Effect.fail(first)
      })
      return Effect.retry(again, schedule)
    })
}

const NO_OPTIONS: RetryOptions = {}

// A schedule is an immutable description: build it once per options object and idempotency
// override, not once per request.
const schedules = new WeakMap<RetryOptions, Map<boolean | undefined, Schedule.Schedule<number, unknown>>>()
const scheduleFor = (
  options: RetryOptions,
  idempotent: boolean | undefined,
): Schedule.Schedule<number, unknown> => {
  let byOverride = schedules.get(options)
  if (byOverride === undefined) {
    byOverride = new Map()
    schedules.set(options, byOverride)
  }
  let schedule = byOverride.get(idempotent)
  if (schedule === undefined) {
    schedule = retrySchedule(idempotent === undefined ? options : { ...options, idempotent })
    byOverride.set(idempotent, schedule)
  }
  return schedule
}
