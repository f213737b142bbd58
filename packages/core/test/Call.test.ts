import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Redacted } from "effect"
import { TestClock } from "effect/testing"
import createClient from "openapi-fetch"
import { vi } from "vitest"
import { call, callWithResponse } from "../src/Call.ts"
import { routingFetch } from "../src/Fetch.ts"
import type { HttpError } from "../src/HttpError.ts"
import { makeClient } from "./support/api.ts"
import { json, startServer } from "./support/server.ts"

const failure = <A>(effect: Effect.Effect<A, HttpError>) => Effect.flip(effect)

describe("call", () => {
  it.effect("succeeds with the typed data, and callWithResponse with the response too", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) =>
        json(res, 200, { id: "1", name: `item ${req.url}` }, { "x-total-count": "7" }),
      )
      const api = makeClient(server.origin)
      const item = yield* call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }))
      assert.deepStrictEqual(item, { id: "1", name: "item /items/1" })
      const { data, response } = yield* callWithResponse((signal) =>
        api.GET("/items/{id}", { params: { path: { id: "2" }, query: { q: "x" } }, signal }),
      )
      assert.strictEqual(data.name, "item /items/2?q=x")
      assert.strictEqual(response.headers.get("x-total-count"), "7")
    }),
  )

  it.effect("succeeds with undefined on 204 and on an empty 200", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.method === "DELETE") return void res.writeHead(204).end()
        res.writeHead(200, { "content-type": "application/json" }).end()
      })
      const api = makeClient(server.origin)
      const deleted = yield* call((signal) =>
        api.DELETE("/items/{id}", { params: { path: { id: "1" } }, signal }),
      )
      const empty = yield* call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }))
      assert.isUndefined(deleted)
      assert.isUndefined(empty)
    }),
  )

  it.effect(
    "fails with UnexpectedResponse (unexpected-body) when validate refuses the body, URL redacted",
    () =>
      Effect.gen(function* () {
        const server = yield* startServer((_req, res) => json(res, 200, { id: 42 }))
        const api = makeClient(server.origin)
        const error = yield* failure(
          call(
            (signal) =>
              api.GET("/items/{id}", { params: { path: { id: "1" }, query: { q: "s3cr3t-value" } }, signal }),
            {
              secrets: [Redacted.make("s3cr3t-value")],
              validate: (data) =>
                typeof (data as { id?: unknown }).id === "string" ? undefined : "id is not a string",
            },
          ),
        )
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.strictEqual(error._tag === "UnexpectedResponse" ? error.reason : "", "unexpected-body")
        assert.include(error.message, "id is not a string")
        assert.notInclude(error.message, "s3cr3t-value")
        // A secret the request carries in a header is redacted from the URL too, without being passed.
        const token = "hdr-T0ken-9f2e61c0b7a4"
        const fromHeader = yield* failure(
          call(
            (signal) =>
              api.GET("/items/{id}", {
                params: { path: { id: "1" }, query: { q: token } },
                headers: { authorization: `Bearer ${token}` },
                signal,
              }),
            { validate: () => "refused" },
          ),
        )
        assert.include(fromHeader.message, "refused")
        assert.notInclude(fromHeader.message, token)
        const ok = yield* call(
          (signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }),
          {
            validate: () => undefined,
          },
        )
        assert.deepStrictEqual(ok as unknown, { id: 42 })
      }),
  )

  it.effect("maps error responses to tagged errors with vendor fields, request id and redacted URL", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.url?.startsWith("/items/sn")) {
          return json(
            res,
            401,
            {
              error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
              status: "failure",
            },
            { "x-transaction-id": "tx-42" },
          )
        }
        if (req.url?.startsWith("/items/graph")) {
          return json(
            res,
            403,
            { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges" } },
            { "request-id": "rq-1" },
          )
        }
        if (req.url?.startsWith("/items/aad")) {
          return json(res, 400, {
            error: "invalid_client",
            error_description: "AADSTS7000215: Invalid client secret provided.",
          })
        }
        res.writeHead(502, { "content-type": "text/plain" }).end("Bad gateway from proxy")
      })
      const api = makeClient(server.origin)
      const post = (id: string) =>
        failure(
          call((signal) =>
            api.POST("/items/{id}", {
              params: { path: { id }, query: { client_secret: "qs" } },
              body: {},
              signal,
            }),
          ),
        )
      const sn = yield* post("sn")
      assert.strictEqual(sn._tag, "Unauthorized")
      assert.strictEqual(sn.method, "POST")
      assert.strictEqual(sn.url, `${server.origin}/items/sn?client_secret=<redacted>`)
      assert.strictEqual(sn.requestId, "tx-42")
      assert.isTrue(sn._tag === "Unauthorized" && sn.vendorMessage === "User Not Authenticated")
      assert.isTrue(sn._tag === "Unauthorized" && sn.vendorDetail === "Required to provide Auth information")
      const graph = yield* post("graph")
      assert.isTrue(graph._tag === "Forbidden" && graph.vendorCode === "Authorization_RequestDenied")
      assert.strictEqual(graph.requestId, "rq-1")
      const aad = yield* post("aad")
      assert.isTrue(aad._tag === "BadRequest" && aad.vendorCode === "invalid_client")
      const proxy = yield* post("proxy")
      assert.isTrue(proxy._tag === "ServerError" && proxy.status === 502)
      assert.isTrue(proxy._tag === "ServerError" && proxy.vendorMessage === "Bad gateway from proxy")
    }),
  )

  it.effect("takes a vendor parser, request-id headers, extra secrets and a remedy per call", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) =>
        json(res, 409, { problem: "exists: Echo-S3cret" }, { "x-corr": "c-9", "request-id": "ignored" }),
      )
      const api = makeClient(server.origin)
      const error = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }), {
          parseVendorError: (body) => ({ code: "MINE", message: (body as { problem: string }).problem }),
          requestIdHeaders: ["x-corr"],
          secrets: [Redacted.make("Echo-S3cret")],
          remedy: (e) => (e._tag === "Conflict" ? "Delete the old one first" : undefined),
        }),
      )
      assert.strictEqual(error._tag, "Conflict")
      assert.isTrue(error._tag === "Conflict" && error.vendorMessage === "exists: <redacted>")
      assert.strictEqual(error.requestId, "c-9")
      assert.strictEqual(error.remedy, "Delete the old one first")
      const noRemedy = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }), {
          remedy: () => undefined,
        }),
      )
      assert.isUndefined(noRemedy.remedy)
    }),
  )

  it.effect("fails with UnexpectedResponse on HTML and on invalid JSON in a 2xx", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.url === "/items/html") {
          return void res
            .writeHead(200, { "content-type": "text/html", "x-page-id": "page-1" })
            .end("<html><body>Your instance is hibernating</body></html>")
        }
        if (req.url === "/items/login") {
          return void res
            .writeHead(200, { "content-type": "application/json", "x-page-id": "page-2" })
            .end("<!DOCTYPE html><html><body>Log in, token=abc</body></html>")
        }
        res.writeHead(200, { "content-type": "application/json" }).end('{"id": "1", "na')
      })
      const api = makeClient(server.origin)
      const html = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "html" } }, signal })),
      )
      assert.isTrue(html._tag === "UnexpectedResponse" && html.reason === "html-content-type")
      const withId = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "html" } }, signal }), {
          requestIdHeaders: ["x-page-id"],
        }),
      )
      assert.strictEqual(withId.requestId, "page-1")
      // Declared JSON: found when openapi-fetch parses the body, still one typed failure.
      const login = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "login" } }, signal }), {
          requestIdHeaders: ["x-page-id"],
        }),
      )
      assert.isTrue(login._tag === "UnexpectedResponse" && login.reason === "html-body")
      assert.strictEqual(login.requestId, "page-2")
      assert.include(login._tag === "UnexpectedResponse" ? login.excerpt : "", "Log in")
      const broken = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "json" } }, signal })),
      )
      assert.isTrue(
        broken._tag === "UnexpectedResponse" && broken.reason === "invalid-json" && broken.status === 200,
      )
      assert.strictEqual(broken.method, "GET")
      assert.strictEqual(broken.url, `${server.origin}/items/json`)
    }),
  )

  it.effect("captures method and URL on network failures, before and after the response headers", () =>
    Effect.gen(function* () {
      const closedPort = yield* Effect.scoped(
        Effect.map(
          startServer(() => undefined),
          (s) => s.port,
        ),
      )
      const refused = yield* failure(
        call((signal) =>
          makeClient(`http://127.0.0.1:${closedPort}`).POST("/items/{id}", {
            params: { path: { id: "1" }, query: { client_secret: "s" } },
            body: {},
            signal,
          }),
        ),
      )
      assert.isTrue(refused._tag === "NetworkError" && refused.code === "ECONNREFUSED")
      assert.strictEqual(refused.method, "POST")
      assert.strictEqual(refused.url, `http://127.0.0.1:${closedPort}/items/1?client_secret=<redacted>`)

      const server = yield* startServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        res.write('{"id":')
        setTimeout(() => res.socket?.destroy(), 10)
      })
      const cut = yield* failure(
        call((signal) =>
          makeClient(server.origin).GET("/items/{id}", { params: { path: { id: "1" } }, signal }),
        ),
      )
      assert.strictEqual(cut._tag, "NetworkError")
      assert.strictEqual(cut.method, "GET")
      assert.strictEqual(cut.url, `${server.origin}/items/1`)
    }),
  )

  it.effect("times out per attempt with Timeout, and the server sees the request aborted", () =>
    Effect.gen(function* () {
      const received = yield* Deferred.make<void>()
      const server = yield* startServer(() => Deferred.doneUnsafe(received, Exit.void))
      const api = makeClient(server.origin)
      const fiber = yield* Effect.forkChild(
        failure(
          call((signal) => api.GET("/items/{id}", { params: { path: { id: "slow" } }, signal }), {
            timeout: "5 seconds",
          }),
        ),
      )
      yield* Deferred.await(received)
      yield* TestClock.adjust("4 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error._tag === "Timeout" && error.timeoutMs === 5000)
      assert.strictEqual(error.method, "GET")
      assert.strictEqual(error.url, `${server.origin}/items/slow`)
      yield* Effect.promise(() => server.clientAborted)
    }),
  )

  it.live("with the real clock, times out by its own timer and aborts the fetch", () =>
    Effect.gen(function* () {
      const server = yield* startServer(() => undefined)
      const api = makeClient(server.origin)
      const started = Date.now()
      const error = yield* failure(
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "slow" } }, signal }), {
          timeout: "150 millis",
        }),
      )
      assert.isTrue(error._tag === "Timeout" && error.timeoutMs === 150)
      assert.strictEqual(error.url, `${server.origin}/items/slow`)
      assert.isBelow(Date.now() - started, 2000)
      yield* Effect.promise(() => server.clientAborted)
    }),
  )

  it.live("each call keeps its own timeout, given as a string however often it is used", () =>
    Effect.gen(function* () {
      const server = yield* startServer(() => undefined)
      const api = makeClient(server.origin)
      const slow = (timeout: Duration.Input) =>
        failure(
          call((signal) => api.GET("/items/{id}", { params: { path: { id: "slow" } }, signal }), { timeout }),
        )
      // Parsed strings are remembered (a bounded memo): more distinct ones than it holds, then a repeat.
      const timeouts: Array<Duration.Input> = [
        ...Array.from({ length: 70 }, (_, i): Duration.Input => `${i + 1} millis`),
        "3 millis",
        "0.05 seconds",
      ]
      const measured = yield* Effect.forEach(timeouts, (timeout) =>
        Effect.map(slow(timeout), (error) => (error._tag === "Timeout" ? error.timeoutMs : -1)),
      )
      assert.deepStrictEqual(measured, [...Array.from({ length: 70 }, (_, i) => i + 1), 3, 50])
    }),
  )

  // Production runs on the live clock, where the call settles through its own timer bridge rather
  // than Effect's timeout: the outcomes must be the same as under TestClock.
  it.live(
    "with the real clock, settles as with any other: data, a refused body, a throwing validate, an error status",
    () =>
      Effect.gen(function* () {
        const server = yield* startServer((req, res) =>
          req.url === "/items/gone"
            ? json(res, 404, { error: { message: "No Record found" } })
            : json(res, 200, { id: "1" }),
        )
        const api = makeClient(server.origin)
        const get = (id: string) => (signal: AbortSignal) =>
          api.GET("/items/{id}", { params: { path: { id } }, signal })
        assert.deepStrictEqual((yield* call(get("1"))) as unknown, { id: "1" })
        const refused = yield* failure(call(get("1"), { validate: () => "id is a number" }))
        assert.isTrue(refused._tag === "UnexpectedResponse" && refused.reason === "unexpected-body")
        const missing = yield* failure(call(get("gone"), { remedy: () => "look elsewhere" }))
        assert.isTrue(missing._tag === "NotFound" && missing.remedy === "look elsewhere")
        const bug = new Error("validate has a bug")
        const exit = yield* Effect.exit(
          call(get("1"), {
            validate: () => {
              throw bug
            },
          }),
        )
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      }),
  )

  it.live("with the real clock, a long timeout (10 s and more, on the shared interval) fires too", () =>
    Effect.gen(function* () {
      // The earlier tests' calls (60 s by default) used the shared interval: past a tick with
      // nothing pending it stops, so the one this call starts is the fake one.
      yield* Effect.sleep("300 millis")
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] })
      try {
        const fiber = yield* Effect.forkChild(
          failure(call(() => new Promise<never>(() => undefined), { timeout: "10 seconds" })),
        )
        yield* Effect.yieldNow
        yield* Effect.promise(() => vi.advanceTimersByTimeAsync(9_900))
        assert.isUndefined(fiber.pollUnsafe(), "not before its time")
        yield* Effect.promise(() => vi.advanceTimersByTimeAsync(400))
        const error = yield* Fiber.join(fiber)
        assert.isTrue(error._tag === "Timeout" && error.timeoutMs === 10_000)
      } finally {
        vi.useRealTimers()
      }
    }),
  )

  it.live("with the real clock, an infinite timeout never fires (Node would fire it after 1 ms)", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => void setTimeout(() => json(res, 200, { id: "1" }), 50))
      const api = makeClient(server.origin)
      const data = yield* call(
        (signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }),
        {
          timeout: Duration.infinity,
        },
      )
      assert.deepStrictEqual(data as unknown, { id: "1" })
    }),
  )

  // The same check on both timeout paths: the live clock's own timer, and Effect's timeout under TestClock.
  const interruptionAbortsTheFetch = Effect.gen(function* () {
    const received = yield* Deferred.make<void>()
    const server = yield* startServer(() => Deferred.doneUnsafe(received, Exit.void))
    const api = makeClient(server.origin)
    const fiber = yield* Effect.forkChild(
      call((signal) => api.GET("/items/{id}", { params: { path: { id: "hang" } }, signal })),
    )
    yield* Deferred.await(received)
    yield* Fiber.interrupt(fiber)
    yield* Effect.promise(() => server.clientAborted)
    assert.lengthOf(server.seen, 1)
  })

  it.live("with the real clock, interruption still aborts the fetch", () => interruptionAbortsTheFetch)

  it.effect(
    "interruption aborts the underlying fetch: the server sees the connection closed",
    () => interruptionAbortsTheFetch,
  )

  it.effect("refuses, as a defect, a client built without transportFetch", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => json(res, 200, { id: "1", name: "x" }))
      const bare = createClient<import("./support/api.ts").paths>({ baseUrl: server.origin })
      const exit = yield* Effect.exit(
        call((signal) => bare.GET("/items/{id}", { params: { path: { id: "1" } }, signal })),
      )
      assert.isTrue(Exit.hasDies(exit))
      assert.include(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)), "transportFetch")
    }),
  )

  it.effect(
    "treats a failure before any request is sent as a defect (a bug in the caller's middleware)",
    () =>
      Effect.gen(function* () {
        const api = makeClient("http://127.0.0.1:1")
        api.use({
          onRequest: () => {
            throw new Error("middleware bug")
          },
        })
        const exit = yield* Effect.exit(
          call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal })),
        )
        assert.isTrue(Exit.hasDies(exit))
      }),
  )

  it.effect("names the request as not sent when the timeout elapses before transportFetch sees it", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        failure(call(() => new Promise<never>(() => undefined), { timeout: "1 second" })),
      )
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "Timeout")
      assert.strictEqual(error.method, "UNKNOWN")
      assert.strictEqual(error.url, "(request not sent)")
    }),
  )

  it.effect("routes real vendor host names to the loopback server through the transport", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) =>
        json(res, 200, { id: "1", name: String(req.headers["x-forwarded-host"]) }),
      )
      const api = makeClient(
        "https://dev1.service-now.com",
        routingFetch({ "*.service-now.com": server.origin }),
      )
      const item = yield* call((signal) => api.GET("/items/{id}", { params: { path: { id: "1" } }, signal }))
      assert.strictEqual(item.name, "dev1.service-now.com")
    }),
  )
})
