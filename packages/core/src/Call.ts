/**
 * The openapi-fetch → Effect bridge. One function of an `AbortSignal` in, one
 * `Effect<data, HttpError>` out; openapi-fetch keeps doing the typing and the serialising.
 *
 * @module
 */
import { Clock, Duration, Effect } from "effect"
import { type HttpError, isHttpError, Timeout, UnexpectedResponse, withRemedy } from "./HttpError.ts"
import { httpErrorFromResponse, requestIdFrom } from "./HttpErrorFromResponse.ts"
import { makeDeadlines } from "./internal/deadlines.ts"
import { type Exchange, responseInfo, runInExchange, secretsOf } from "./internal/exchange.ts"
import { networkError } from "./internal/networkError.ts"
import { redactText, redactUrl, type Secret } from "./Redact.ts"
import type { VendorErrorParser } from "./VendorError.ts"
import { DEFAULT_REQUEST_ID_HEADERS } from "./vendor.ts"

/** Options of {@link call} and {@link callWithResponse}. */
export interface CallOptions {
  /** Reads the vendor's code and message from an error body. Default `parseVendorError`. */
  readonly parseVendorError?: VendorErrorParser | undefined
  /** Fills `remedy` on any failure of this call (return `undefined` to leave it empty). */
  readonly remedy?: ((error: HttpError) => string | undefined) | undefined
  /**
   * Per attempt, covering the request and reading the body; the fetch is aborted. Default 60 s.
   * A timeout of 10 s or more is kept by one interval shared by every call and fires up to 250 ms late.
   */
  readonly timeout?: Duration.Input | undefined
  /** Response headers holding a request id. Default `DEFAULT_REQUEST_ID_HEADERS`. */
  readonly requestIdHeaders?: ReadonlyArray<string> | undefined
  /** Secrets to scrub from errors besides those the request itself carries (headers, query). */
  readonly secrets?: ReadonlyArray<Secret> | undefined
  /**
   * Checks a successful body before anyone uses it: returns what is wrong (e.g. "result is not
   * an array"), or `undefined`. A body that fails fails the call with `UnexpectedResponse`
   * (`unexpected-body`), not retried — a server (or a proxy) answering garbage must never turn
   * into a crash, or into garbage written somewhere else.
   */
  readonly validate?: ((data: unknown) => string | undefined) | undefined
}

/** The shape openapi-fetch resolves with: `{ data, response }` or `{ error, response }`. */
export interface ApiResult {
  readonly data?: unknown
  readonly error?: unknown
  readonly response: Response
}

/** The success data type of an openapi-fetch result type. */
export type DataOf<R> = R extends { readonly data: infer D; readonly error?: never } ? D : never

/** What {@link callWithResponse} succeeds with. */
export interface CallResult<D> {
  readonly data: D
  /** The raw response, for headers such as `Link`, `X-Total-Count` or `Location`. */
  readonly response: Response
}

const DEFAULT_TIMEOUT = Duration.seconds(60)
/** The longest delay `setTimeout` honours (2³¹−1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1
/** Timeouts this long share one interval; they fire up to one tick late (2.5 % at most). */
const SHARED_FROM_MS = 10_000
const SHARED_TICK_MS = 250
const shared = makeDeadlines(SHARED_TICK_MS)
const noTimer = () => undefined

/** Calls `fire` after `ms`; the result cancels it (and may be called more than once). */
const startTimer = (ms: number, fire: () => void): (() => void) => {
  // Node fires a longer timer (or an infinite one) after 1 ms: such a timeout is no timeout.
  if (ms > MAX_TIMER_MS) return noTimer
  if (ms >= SHARED_FROM_MS) return shared.after(ms, fire)
  const timer = setTimeout(fire, ms)
  return () => clearTimeout(timer)
}

// Clients are configured with strings such as "30000 millis", and Effect parses one with BigInt
// arithmetic: once per distinct string is enough (a bounded memo; it is not worth more).
const parsedTimeouts = new Map<string, Duration.Duration>()
const MAX_PARSED_TIMEOUTS = 64

const timeoutOf = (input: Duration.Input): Duration.Duration => {
  if (typeof input !== "string") return Duration.fromInputUnsafe(input)
  let parsed = parsedTimeouts.get(input)
  if (parsed === undefined) {
    parsed = Duration.fromInputUnsafe(input)
    if (parsedTimeouts.size >= MAX_PARSED_TIMEOUTS) parsedTimeouts.clear()
    parsedTimeouts.set(input, parsed)
  }
  return parsed
}

let live: Clock.Clock | undefined
/** Effect's default clock (real time), as opposed to a `TestClock` or another provided clock. */
const liveClock = (): Clock.Clock => {
  live ??= Effect.runSync(Effect.clockWith(Effect.succeed))
  return live
}

/**
 * Runs `send` with a signal that aborts when the fiber is interrupted or when `ms` have passed, and
 * resumes with `settled(value)` or `failed(cause)`; when the time is up it resumes with `timedOut()`
 * at once, whether or not `send` heeds the signal.
 * With the live clock this replaces a promise bridge plus Effect's timeout race: one abort
 * controller per request and a timer (a long one on the shared interval), no extra fibers (bench
 * figure 5).
 */
const withTimer = <A, B, E>(
  ms: number,
  send: (signal: AbortSignal) => Promise<A>,
  settled: (value: A) => Effect.Effect<B, E>,
  failed: (cause: unknown) => Effect.Effect<never, E>,
  timedOut: () => Effect.Effect<never, E>,
): Effect.Effect<B, E> =>
  Effect.callback<B, E>((resume) => {
    const controller = new AbortController()
    // Abort first, so the fetch stops before the fiber runs on; `timedOut` is evaluated in the fiber.
    const expire = () => {
      controller.abort()
      resume(Effect.suspend(timedOut))
    }
    const cancelTimer = startTimer(ms, expire)
    // `settled` runs the caller's `validate`: a throw there is a defect, as in `Effect.flatMap`,
    // never a fiber left waiting. Only `f` is guarded: `resume` runs the fiber on, and what throws
    // there is not this call's to catch.
    const settle = <X>(f: (x: X) => Effect.Effect<B, E>, x: X) => {
      cancelTimer()
      let outcome: Effect.Effect<B, E>
      try {
        outcome = f(x)
      } catch (defect) {
        outcome = Effect.die(defect)
      }
      resume(outcome)
    }
    let sent: Promise<A>
    try {
      sent = send(controller.signal)
    } catch (cause) {
      sent = Promise.reject(cause)
    }
    sent.then(
      (value) => settle(settled, value),
      (cause: unknown) => settle(failed, cause),
    )
    return Effect.sync(() => {
      cancelTimer()
      controller.abort()
    })
  })

const NOT_VETTED =
  "sn365: the openapi-fetch client was not created with `fetch: transportFetch(…)` from @sn365/core, " +
  "so transport safety and HTML detection did not run. Build the client with it."

const UNKNOWN_METHOD = "UNKNOWN"
const NOT_SENT = "(request not sent)"

// A failure that transportFetch never saw is a bug: a client built without it, a throwing
// middleware, a URL with credentials… Its text may quote the URL, so only a redacted copy is kept.
const notSent = (cause: unknown, exchange: Exchange): Error =>
  new Error(
    `sn365: the call failed outside transportFetch (is the client built with it? did a middleware throw?): ${redactText(String(cause), secretsOf(exchange))}`,
  )

const requestOf = (exchange: Exchange) => ({
  method: exchange.method ?? UNKNOWN_METHOD,
  url: exchange.url === undefined ? NOT_SENT : redactUrl(exchange.url, secretsOf(exchange)),
})

// openapi-fetch rejects with whatever the fetch threw (transportFetch throws HttpErrors), with a
// SyntaxError when a 2xx body is not JSON, or with a body-read failure.
const fromRejection = (cause: unknown, exchange: Exchange): Effect.Effect<never, HttpError> => {
  if (isHttpError(cause)) return Effect.fail(cause)
  if (exchange.method === undefined) return Effect.die(notSent(cause, exchange))
  if (cause instanceof SyntaxError) {
    return Effect.fail(
      new UnexpectedResponse({ ...requestOf(exchange), reason: "invalid-json", status: exchange.status }),
    )
  }
  return Effect.fail(networkError(cause, exchange.method, exchange.url ?? NOT_SENT, secretsOf(exchange)))
}

const fromResult = <R extends ApiResult>(
  result: R,
  exchange: Exchange,
  options: CallOptions,
): Effect.Effect<CallResult<DataOf<R>>, HttpError> => {
  const info = responseInfo(result.response)
  if (info === undefined) return Effect.die(new Error(NOT_VETTED))
  if (result.response.ok) {
    const problem = options.validate?.(result.data)
    if (problem !== undefined)
      return Effect.fail(
        new UnexpectedResponse({
          method: info.method,
          url: redactUrl(info.url, secretsOf(exchange)),
          requestId: requestIdFrom(
            result.response.headers,
            options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS,
          ),
          reason: "unexpected-body",
          status: result.response.status,
          contentType: result.response.headers.get("content-type") ?? undefined,
          problem,
        }),
      )
    return Effect.succeed({ data: result.data as DataOf<R>, response: result.response })
  }
  return Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
    Effect.fail(
      httpErrorFromResponse({
        method: info.method,
        url: info.url,
        response: result.response,
        body: result.error,
        parseVendorError: options.parseVendorError,
        requestIdHeaders: options.requestIdHeaders,
        secrets: secretsOf(exchange),
        nowMs,
      }),
    ),
  )
}

const addRemedy = (error: HttpError, remedy: CallOptions["remedy"]): HttpError => {
  const text = remedy?.(error)
  return text === undefined ? error : withRemedy(error, text)
}

/**
 * Runs an openapi-fetch call as an Effect that succeeds with `{ data, response }`. The function
 * receives the `AbortSignal` to pass on (interruption and the timeout abort the fetch). Each
 * evaluation is a new request, so wrap it in `withRetry` for retries.
 *
 * @example
 * ```ts
 * const page = callWithResponse((signal) =>
 *   api.GET("/table/{tableName}", { params: { path: { tableName: "sys_user" } }, signal }))
 * // Effect<CallResult<{ result?: User[] }>, HttpError>; page.response.headers.get("x-total-count")
 * ```
 */
export const callWithResponse = <R extends ApiResult>(
  run: (signal: AbortSignal) => Promise<R>,
  options: CallOptions = {},
): Effect.Effect<CallResult<DataOf<R>>, HttpError> =>
  // The clock is read per evaluation, so each one (each retry) is a new exchange.
  Effect.clockWith((clock) => {
    const exchange: Exchange = {
      scanned: options.secrets === undefined ? [] : [...options.secrets],
      unscanned: [],
      requestIdHeaders: options.requestIdHeaders,
    }
    const timeout = timeoutOf(options.timeout ?? DEFAULT_TIMEOUT)
    const timedOut = () =>
      Effect.fail(new Timeout({ ...requestOf(exchange), timeoutMs: Duration.toMillis(timeout) }))
    const failed = (cause: unknown) => fromRejection(cause, exchange)
    const send = (signal: AbortSignal) => runInExchange(exchange, () => run(signal))
    const checked = (result: R) => fromResult(result, exchange, options)
    const settled =
      clock === liveClock()
        ? withTimer(Duration.toMillis(timeout), send, checked, failed, timedOut)
        : Effect.tryPromise({ try: send, catch: (cause) => cause }).pipe(
            Effect.catch(failed),
            Effect.timeoutOrElse({ duration: timeout, orElse: timedOut }),
            Effect.flatMap(checked),
          )
    const { remedy } = options
    return remedy === undefined ? settled : Effect.mapError(settled, (error) => addRemedy(error, remedy))
  })

/**
 * Runs an openapi-fetch call as an Effect that succeeds with its data (`undefined` for 204 and
 * empty bodies) and fails with an {@link HttpError}.
 *
 * @example
 * ```ts
 * const app = call((signal) => graph.GET("/applications/{id}", { params: { path: { id } }, signal }), {
 *   remedy: (e) => (e._tag === "Forbidden" ? "Grant Application.ReadWrite.All" : undefined),
 * }).pipe(withRetry())
 * ```
 */
export const call = <R extends ApiResult>(
  run: (signal: AbortSignal) => Promise<R>,
  options: CallOptions = {},
): Effect.Effect<DataOf<R>, HttpError> => Effect.map(callWithResponse(run, options), (result) => result.data)
