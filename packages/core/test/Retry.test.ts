import { assert, describe, it } from "@effect/vitest"
import { type Duration, Effect, Fiber, Random } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import {
  BadRequest,
  Conflict,
  Forbidden,
  type HttpError,
  NetworkError,
  NotFound,
  ServerError,
  Throttled,
  Unauthorized,
} from "../src/HttpError.ts"
import { backoffDelayMs, type RetryEvent, RetryObserver, type RetryOptions, withRetry } from "../src/Retry.ts"

const url = "https://dev1.service-now.com/api/now/table/sys_user"
const get = { method: "GET", url }
const post = { method: "POST", url }

/** An effect failing with `errors` in turn, then succeeding with "ok"; counts its evaluations. */
const flaky = (errors: ReadonlyArray<unknown>) => {
  let calls = 0
  const effect = Effect.suspend(() => {
    const error = errors[calls++]
    return error === undefined ? Effect.succeed("ok" as const) : Effect.fail(error)
  })
  return { effect, calls: () => calls }
}

/** Runs with retries on the test clock, collecting events; returns the exit, events and attempts. */
const runRetried = (
  errors: ReadonlyArray<unknown>,
  options: RetryOptions = {},
  advance: Duration.Input = "1 hour",
  idempotent?: boolean,
) =>
  Effect.gen(function* () {
    const events: Array<RetryEvent> = []
    const subject = flaky(errors)
    const fiber = yield* Effect.forkChild(
      subject.effect.pipe(
        withRetry(options, idempotent),
        Effect.provideService(RetryObserver, (event) => Effect.sync(() => events.push(event))),
        Effect.exit,
      ),
    )
    yield* TestClock.adjust(advance)
    const exit = yield* Fiber.join(fiber)
    return { exit, events, attempts: subject.calls() }
  })

describe("backoffDelayMs", () => {
  it("grows exponentially from the base delay and is capped", () => {
    const options = { baseDelay: "500 millis", maxDelay: "5 seconds" } as const
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 10].map((n) => backoffDelayMs(n, 0, options)),
      [500, 1000, 2000, 4000, 5000, 5000],
    )
  })

  it("jitter takes off up to its fraction of the delay", () => {
    assert.strictEqual(backoffDelayMs(3, 0.5, { baseDelay: "500 millis" }), 1500)
    assert.strictEqual(backoffDelayMs(3, 0.999_999, { baseDelay: "500 millis", jitter: 0.2 }), 1600)
    assert.strictEqual(backoffDelayMs(3, 0.7, { baseDelay: "500 millis", jitter: 0 }), 2000)
  })

  it("stays within [capped·(1−jitter), capped] for any attempt, random and jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random, jitter) => {
          const capped = Math.min(30_000, 500 * 2 ** (attempt - 1))
          const delay = backoffDelayMs(attempt, random, { jitter })
          return delay <= capped && delay >= Math.floor(capped * (1 - jitter))
        },
      ),
    )
  })
})

describe("withRetry", () => {
  it.effect("retries transient errors with backoff and reports each retry", () =>
    Effect.gen(function* () {
      const { exit, events, attempts } = yield* runRetried(
        [new ServerError({ ...get, status: 503 }), new NetworkError({ ...get, code: "ECONNRESET" })],
        { jitter: 0 },
      )
      assert.deepStrictEqual(exit, yield* Effect.exit(Effect.succeed("ok" as const)))
      assert.strictEqual(attempts, 3)
      assert.deepStrictEqual(
        events.map(({ attempt, delayMs, reason, method, url }) => ({
          attempt,
          delayMs,
          reason,
          method,
          url,
        })),
        [
          { attempt: 1, delayMs: 500, reason: { tag: "ServerError", status: 503 }, method: "GET", url },
          {
            attempt: 2,
            delayMs: 1000,
            reason: { tag: "NetworkError", code: "ECONNRESET" },
            method: "GET",
            url,
          },
        ],
      )
    }),
  )

  it.effect("waits on the test clock: nothing happens before the delay, the retry after it", () =>
    Effect.gen(function* () {
      const subject = flaky([new ServerError({ ...get, status: 500 })])
      const fiber = yield* Effect.forkChild(
        subject.effect.pipe(withRetry({ jitter: 0, baseDelay: "2 seconds" })),
      )
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(subject.calls(), 1)
      yield* TestClock.adjust("1 milli")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
      assert.strictEqual(subject.calls(), 2)
    }),
  )

  it.effect("uses the server's delay exactly, without jitter", () =>
    Effect.gen(function* () {
      const { events, attempts } = yield* runRetried([
        new Throttled({ ...get, status: 429, retryAfterMs: 1234 }),
        new ServerError({ ...get, status: 503, retryAfterMs: 10 }),
      ])
      assert.strictEqual(attempts, 3)
      assert.deepStrictEqual(
        events.map((e) => e.delayMs),
        [1234, 10],
      )
    }),
  )

  it.effect("jittered delays stay within bounds under a seeded random", () =>
    Effect.gen(function* () {
      const errors = Array.from({ length: 4 }, () => new ServerError({ ...get, status: 500 }))
      const { events } = yield* runRetried(errors).pipe(Random.withSeed("sn365"))
      const bounds = [500, 1000, 2000, 4000]
      assert.lengthOf(events, 4)
      events.forEach((e, i) => {
        const capped = bounds[i] ?? 0
        assert.isAtLeast(e.delayMs, capped / 2)
        assert.isAtMost(e.delayMs, capped)
      })
    }),
  )

  it.effect.each([
    ["400", new BadRequest({ ...get, status: 400 })],
    ["401", new Unauthorized({ ...get, status: 401 })],
    ["403", new Forbidden({ ...get, status: 403 })],
    ["404", new NotFound({ ...get, status: 404 })],
    ["409", new Conflict({ ...get, status: 409 })],
    ["501", new ServerError({ ...get, status: 501 })],
    ["ENOTFOUND", new NetworkError({ ...get, code: "ENOTFOUND" })],
  ] as const)("never retries %s", ([, error]) =>
    Effect.gen(function* () {
      const { exit, events, attempts } = yield* runRetried([error])
      assert.strictEqual(attempts, 1)
      assert.lengthOf(events, 0)
      assert.deepStrictEqual(exit, yield* Effect.exit(Effect.fail(error)))
    }),
  )

  it.effect("surfaces the last error when retries run out", () =>
    Effect.gen(function* () {
      const errors = [1, 2, 3, 4].map((n) => new ServerError({ ...get, status: 503, requestId: `r${n}` }))
      const { exit, attempts, events } = yield* runRetried(errors, { maxRetries: 2 })
      assert.strictEqual(attempts, 3)
      assert.lengthOf(events, 2)
      assert.deepStrictEqual(exit, yield* Effect.exit(Effect.fail(errors[2] as ServerError)))
    }),
  )

  it.effect("does not wait for a server delay longer than maxRetryAfter", () =>
    Effect.gen(function* () {
      const hourly = new Throttled({ ...get, status: 429, retryAfterMs: 3_600_000 })
      const { exit, attempts } = yield* runRetried([hourly], { maxRetryAfter: "60 seconds" })
      assert.strictEqual(attempts, 1)
      assert.deepStrictEqual(exit, yield* Effect.exit(Effect.fail(hourly)))
    }),
  )

  it.effect("does not start a retry beyond maxElapsed", () =>
    Effect.gen(function* () {
      const errors = [1, 2, 3].map(() => new ServerError({ ...get, status: 500 }))
      const { attempts, events } = yield* runRetried(errors, {
        jitter: 0,
        baseDelay: "1 second",
        maxElapsed: "2500 millis",
      })
      // 1st retry after 1 s (elapsed 0 + 1 s), 2nd would end at 1 s + 2 s > 2.5 s.
      assert.strictEqual(attempts, 2)
      assert.deepStrictEqual(
        events.map((e) => e.delayMs),
        [1000],
      )
    }),
  )

  describe("idempotency", () => {
    const cases: ReadonlyArray<[string, HttpError, RetryOptions, number]> = [
      ["POST 503, default: not retried", new ServerError({ ...post, status: 503 }), {}, 1],
      ["POST reset, default: not retried", new NetworkError({ ...post, code: "ECONNRESET" }), {}, 1],
      ["POST 429, default: retried (not processed)", new Throttled({ ...post, status: 429 }), {}, 2],
      [
        "POST refused, default: retried (not processed)",
        new NetworkError({ ...post, code: "ECONNREFUSED" }),
        {},
        2,
      ],
      [
        "POST 503, idempotent: true: retried",
        new ServerError({ ...post, status: 503 }),
        { idempotent: true },
        2,
      ],
      [
        "POST 429, idempotent: false: not retried",
        new Throttled({ ...post, status: 429 }),
        { idempotent: false },
        1,
      ],
      [
        "GET 503, idempotent: false: not retried",
        new ServerError({ ...get, status: 503 }),
        { idempotent: false },
        1,
      ],
      ["PUT 503, default: retried", new ServerError({ method: "PUT", url, status: 503 }), {}, 2],
      ["DELETE 503, default: retried", new ServerError({ method: "delete", url, status: 503 }), {}, 2],
      ["PATCH 503, default: not retried", new ServerError({ method: "PATCH", url, status: 503 }), {}, 1],
    ]
    it.effect.each(cases)("%s", ([, error, options, expected]) =>
      Effect.gen(function* () {
        const { attempts } = yield* runRetried([error], options)
        assert.strictEqual(attempts, expected)
      }),
    )

    it.effect("an override for the call beats the shared options, the same options object either way", () =>
      Effect.gen(function* () {
        const shared: RetryOptions = { idempotent: false, jitter: 0 }
        const post503 = () => [new ServerError({ ...post, status: 503 })]
        assert.strictEqual((yield* runRetried(post503(), shared, "1 hour", true)).attempts, 2)
        assert.strictEqual((yield* runRetried(post503(), shared)).attempts, 1)
        const get503 = [new ServerError({ ...get, status: 503 })]
        assert.strictEqual((yield* runRetried(get503, { jitter: 0 }, "1 hour", false)).attempts, 1)
      }),
    )
  })

  it.effect("alsoRetry opts into retrying a non-transient error (Graph replication lag)", () =>
    Effect.gen(function* () {
      const lag = new NotFound({ ...get, status: 404, vendorCode: "Request_ResourceNotFound" })
      const { attempts, events } = yield* runRetried([lag, lag], {
        alsoRetry: (e) => e._tag === "NotFound" && e.vendorCode === "Request_ResourceNotFound",
      })
      assert.strictEqual(attempts, 3)
      assert.deepStrictEqual(events[0]?.reason, { tag: "NotFound", status: 404 })
    }),
  )

  it.effect("does not retry failures that are not HttpErrors", () =>
    Effect.gen(function* () {
      const { attempts } = yield* runRetried([new Error("not http")])
      assert.strictEqual(attempts, 1)
    }),
  )

  it.effect("keeps retrying when the observer itself throws", () =>
    Effect.gen(function* () {
      const subject = flaky([new ServerError({ ...get, status: 503 })])
      const fiber = yield* Effect.forkChild(
        subject.effect.pipe(
          withRetry(),
          Effect.provideService(RetryObserver, () => Effect.die(new Error("observer bug"))),
        ),
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "ok")
    }),
  )

  it.effect("reports elapsed time since the first failure", () =>
    Effect.gen(function* () {
      const errors = [1, 2, 3].map(() => new ServerError({ ...get, status: 500 }))
      const { events } = yield* runRetried(errors, { jitter: 0 })
      assert.deepStrictEqual(
        events.map((e) => e.elapsedMs),
        [0, 500, 1500],
      )
    }),
  )
})
