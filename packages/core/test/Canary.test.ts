/**
 * Canary secrets go into requests (headers, query, JSON and form bodies, URLs) and servers echo
 * them back every way they can; none may appear in any error's message, toString, toJSON,
 * JSON.stringify, util.inspect or Cause rendering, nor in any retry event or log line.
 */
import * as util from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Logger, Redacted, References } from "effect"
import { TestClock } from "effect/testing"
import createClient from "openapi-fetch"
import { call } from "../src/Call.ts"
import { routingFetch } from "../src/Fetch.ts"
import type { HttpError } from "../src/HttpError.ts"
import { type RetryEvent, RetryObserver, withRetry } from "../src/Retry.ts"
import { transportFetch } from "../src/Transport.ts"
import type { paths } from "./support/api.ts"
import { json, type Seen, startServer } from "./support/server.ts"

const PASSWORD = "Canary-Passw0rd-7f3a"
const CLIENT_SECRET = "canary~Cl1entSecret~9b2c"
const BEARER = "canaryBearerT0ken.4d5e"
const REFRESH = "canary-Refr3sh-T0ken-1a2b"
const BASIC = Buffer.from(`m365_integration:${PASSWORD}`).toString("base64")
const SECRETS = [PASSWORD, CLIENT_SECRET, BEARER, REFRESH]
const FORBIDDEN = [
  ...SECRETS,
  ...SECRETS.map(encodeURIComponent),
  ...SECRETS.map((s) => JSON.stringify(s).slice(1, -1)),
  BASIC,
]

const renderings = (error: HttpError): Record<string, string> => ({
  message: error.message,
  string: String(error),
  toString: error.toString(),
  toJSON: JSON.stringify((error as { toJSON?: () => unknown }).toJSON?.() ?? null),
  stringify: JSON.stringify(error),
  inspect: util.inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  stack: error.stack ?? "",
  cause: Cause.pretty(Cause.fail(error)),
})

const assertClean = (label: string, text: string) => {
  for (const secret of FORBIDDEN) {
    assert.notInclude(text, secret, `${label} leaks a canary secret`)
  }
}

// Echo everything the request carried, in every field a vendor might use.
const echo = (seen: Seen) =>
  `auth=${seen.headers.authorization} url=${seen.url} body=${seen.body} raw ${PASSWORD} ${CLIENT_SECRET} ${BEARER} ${REFRESH}`

describe("canary secrets never leak", () => {
  it.effect("from errors built from every kind of failure", () =>
    Effect.gen(function* () {
      const elsewhere = yield* startServer((_req, res) => json(res, 200, {}))
      const server = yield* startServer((req, res, seen) => {
        const path = new URL(req.url ?? "/", "http://x").pathname
        switch (path) {
          case "/items/sn":
            return json(res, 401, { error: { message: echo(seen), detail: echo(seen) }, status: "failure" })
          case "/items/graph":
            return json(res, 403, {
              error: {
                code: "Denied",
                message: echo(seen),
                details: [{ code: "x", message: echo(seen) }],
                innerError: { "request-id": echo(seen) },
              },
            })
          case "/items/aad":
            return json(res, 401, {
              error: "invalid_client",
              error_description: `AADSTS7000215: ${echo(seen)}\r\nTrace ID: ${echo(seen)}`,
            })
          case "/items/text":
            return void res
              .writeHead(500, { "content-type": "text/plain", "request-id": PASSWORD })
              .end(echo(seen))
          case "/items/html":
            return void res
              .writeHead(200, { "content-type": "text/html" })
              .end(`<html><body>${echo(seen)}</body></html>`)
          case "/items/redirect":
            return void res
              .writeHead(302, {
                location: `${elsewhere.origin}/cb?access_token=${BEARER}&password=${PASSWORD}`,
              })
              .end()
          case "/items/reset":
            return void req.socket.destroy()
          default:
            return undefined // never answers: the timeout case
        }
      })
      const closedPort = yield* Effect.scoped(
        Effect.map(
          startServer(() => undefined),
          (s) => s.port,
        ),
      )

      const client = (baseUrl: string) => {
        const api = createClient<paths>({
          baseUrl,
          fetch: transportFetch(routingFetch({ "*.service-now.com": server.origin })),
        })
        api.use({
          onRequest: ({ request }) => {
            request.headers.set(
              "authorization",
              request.method === "GET" ? `Basic ${BASIC}` : `Bearer ${BEARER}`,
            )
            request.headers.set("cookie", `glide_session_store=${REFRESH}`)
            return request
          },
        })
        return api
      }
      const api = client("https://dev1.service-now.com")
      const query = { client_secret: CLIENT_SECRET }
      const body = { user_password: PASSWORD, refresh_token: REFRESH, note: "hello" }
      const attempts: Array<Effect.Effect<unknown, HttpError>> = [
        ...["sn", "graph", "aad", "text", "html", "reset"].map((id) =>
          call((signal) => api.POST("/items/{id}", { params: { path: { id }, query }, body, signal })),
        ),
        call((signal) => api.GET("/items/{id}", { params: { path: { id: "redirect" } }, signal })),
        call((signal) =>
          client(`http://127.0.0.1:${closedPort}`).POST("/items/{id}", {
            params: { path: { id: "x" }, query },
            body,
            signal,
          }),
        ),
        call((signal) =>
          client(`http://remote.example/${PASSWORD}`).POST("/items/{id}", {
            params: { path: { id: "x" }, query },
            body,
            signal,
          }),
        ),
        call(
          (signal) =>
            api.request("post", "/items/{id}", {
              params: { path: { id: "form" }, query },
              body: `grant_type=refresh_token&refresh_token=${REFRESH}&client_secret=${encodeURIComponent(CLIENT_SECRET)}`,
              bodySerializer: (b: unknown) => String(b),
              headers: { "content-type": "application/x-www-form-urlencoded" },
              signal,
            } as never),
          { timeout: "3 seconds", secrets: [Redacted.make(PASSWORD)] },
        ),
      ]
      const errors: Array<HttpError> = []
      for (const attempt of attempts) {
        const fiber = yield* Effect.forkChild(Effect.flip(attempt))
        // Only the form request hangs; give it time to reach the server, then let it time out.
        if (errors.length === attempts.length - 1) {
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
          yield* TestClock.adjust("3 seconds")
        }
        errors.push(yield* Fiber.join(fiber))
      }
      assert.deepStrictEqual(
        errors.map((e) => e._tag),
        [
          "Unauthorized",
          "Forbidden",
          "Unauthorized",
          "ServerError",
          "UnexpectedResponse",
          "NetworkError",
          "UnexpectedResponse",
          "NetworkError",
          "InsecureTransport",
          "Timeout",
        ],
      )
      for (const error of errors) {
        for (const [how, text] of Object.entries(renderings(error))) assertClean(`${error._tag} ${how}`, text)
      }
    }),
  )

  it.effect("from retry events and log lines", () =>
    Effect.gen(function* () {
      let calls = 0
      const server = yield* startServer((_req, res, seen) => {
        calls++
        if (calls === 1)
          return json(res, 429, { error: { message: echo(seen), detail: null } }, { "retry-after": "1" })
        return json(res, 503, { error: { code: "x", message: echo(seen) } })
      })
      const api = createClient<paths>({ baseUrl: `${server.origin}/${PASSWORD}`, fetch: transportFetch() })
      api.use({
        onRequest: ({ request }) => {
          request.headers.set("authorization", `Bearer ${BEARER}`)
          return request
        },
      })
      const events: Array<RetryEvent> = []
      const lines: Array<string> = []
      const exhausted = yield* Deferred.make<void>()
      const logger = Logger.map(Logger.formatLogFmt, (line) => {
        lines.push(line)
      })
      const fiber = yield* Effect.forkChild(
        call(
          (signal) =>
            api.POST("/items/{id}", {
              params: { path: { id: CLIENT_SECRET }, query: { client_secret: CLIENT_SECRET } },
              body: { password: PASSWORD, refresh_token: REFRESH },
              signal,
            }),
          { secrets: [CLIENT_SECRET, Redacted.make(PASSWORD)] },
        ).pipe(
          withRetry({ idempotent: true, maxRetries: 2, jitter: 0 }),
          Effect.tapError((e) => Effect.logError("gave up", e)),
          Effect.exit,
          Effect.tap(() => Deferred.succeed(exhausted, undefined)),
          Effect.provideService(RetryObserver, (event) => Effect.sync(() => events.push(event))),
          Effect.provideService(References.MinimumLogLevel, "Debug"),
          Effect.provideService(References.CurrentLoggers, new Set([logger])),
        ),
      )
      // Each retry waits on the test clock; keep advancing until the call gives up.
      while (!(yield* Deferred.isDone(exhausted))) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
        yield* TestClock.adjust("1 second")
      }
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.lengthOf(events, 2)
      assert.isAtLeast(lines.length, 3)
      assert.isTrue(lines.some((l) => l.includes("retry 1 of POST")))
      for (const event of events) assertClean("retry event", JSON.stringify(event))
      for (const line of lines) assertClean("log line", line)
    }),
  )
})
