import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { defaultFetch, FORWARDED_HOST_HEADER, routeFor, routingFetch } from "../src/Fetch.ts"
import { json, startServer } from "./support/server.ts"

const recording = () => {
  const requests: Array<Request> = []
  const fetch = async (request: Request) => {
    requests.push(request)
    return new Response("{}", { headers: { "content-type": "application/json" } })
  }
  return { requests, fetch }
}

describe("routeFor", () => {
  const routes = { "graph.microsoft.com": "http://127.0.0.1:1", "*.service-now.com": "http://127.0.0.1:2" }

  it("matches exact hosts case-insensitively", () => {
    assert.strictEqual(routeFor(routes, "graph.microsoft.com"), "http://127.0.0.1:1")
    assert.strictEqual(routeFor(routes, "GRAPH.Microsoft.com"), "http://127.0.0.1:1")
    assert.isUndefined(routeFor(routes, "graph.microsoft.com.evil.example"))
  })

  it("matches a leading wildcard on any depth but not the bare suffix", () => {
    assert.strictEqual(routeFor(routes, "dev12345.service-now.com"), "http://127.0.0.1:2")
    assert.strictEqual(routeFor(routes, "a.b.service-now.com"), "http://127.0.0.1:2")
    assert.isUndefined(routeFor(routes, "service-now.com"))
    assert.isUndefined(routeFor(routes, "evilservice-now.com"))
  })
})

describe("routingFetch", () => {
  it("rewrites routed hosts to the target origin, keeping path and query", async () => {
    const next = recording()
    const fetch = routingFetch({ "*.service-now.com": "http://127.0.0.1:4010" }, next.fetch)
    await fetch(new Request("https://dev1.service-now.com/api/now/table/sys_user?sysparm_limit=1"))
    const sent = next.requests[0]
    assert.strictEqual(sent?.url, "http://127.0.0.1:4010/api/now/table/sys_user?sysparm_limit=1")
    assert.strictEqual(sent?.headers.get(FORWARDED_HOST_HEADER), "dev1.service-now.com")
  })

  it("keeps the original port in X-Forwarded-Host", async () => {
    const next = recording()
    await routingFetch(
      { "login.example": "http://127.0.0.1:9" },
      next.fetch,
    )(new Request("https://login.example:8443/x"))
    assert.strictEqual(next.requests[0]?.headers.get(FORWARDED_HOST_HEADER), "login.example:8443")
  })

  it("preserves method, headers, body, redirect mode and the abort signal", async () => {
    const next = recording()
    const controller = new AbortController()
    const fetch = routingFetch({ "graph.microsoft.com": "http://127.0.0.1:4010" }, next.fetch)
    await fetch(
      new Request("https://graph.microsoft.com/v1.0/applications", {
        method: "POST",
        headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
        body: JSON.stringify({ displayName: "sn365" }),
        redirect: "manual",
        signal: controller.signal,
      }),
    )
    const sent = next.requests[0]
    assert.strictEqual(sent?.method, "POST")
    assert.strictEqual(sent?.headers.get("authorization"), "Bearer t0ken")
    assert.strictEqual(sent?.headers.get("content-type"), "application/json")
    assert.strictEqual(sent?.redirect, "manual")
    assert.strictEqual(await sent?.text(), '{"displayName":"sn365"}')
    assert.isFalse(sent?.signal.aborted)
    controller.abort()
    assert.isTrue(sent?.signal.aborted)
  })

  it("refuses a route target that is not an http(s) origin where the routes are written", () => {
    assert.throws(() => routingFetch({ "graph.microsoft.com": "127.0.0.1:4010" }), TypeError)
    assert.throws(() => routingFetch({ "graph.microsoft.com": "ftp://127.0.0.1" }), /not an http\(s\) origin/)
  })

  it("passes unrouted hosts through untouched", async () => {
    const next = recording()
    const original = new Request("https://example.org/a?b=c", { headers: { x: "1" } })
    await routingFetch({ "graph.microsoft.com": "http://127.0.0.1:1" }, next.fetch)(original)
    assert.strictEqual(next.requests[0], original)
    assert.isNull(next.requests[0]?.headers.get(FORWARDED_HOST_HEADER) ?? null)
  })

  it.effect("reaches a real loopback server with the body and the forwarded host", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, seen) => json(res, 201, { echoed: seen.body }))
      const fetch = routingFetch({ "*.service-now.com": server.origin })
      const response = yield* Effect.promise(() =>
        fetch(
          new Request("https://dev1.service-now.com/api/now/table/incident", {
            method: "POST",
            body: '{"short_description":"x"}',
            headers: { "content-type": "application/json" },
          }),
        ),
      )
      assert.strictEqual(response.status, 201)
      assert.deepStrictEqual(yield* Effect.promise(() => response.json()), {
        echoed: '{"short_description":"x"}',
      })
      assert.strictEqual(server.seen[0]?.url, "/api/now/table/incident")
      assert.strictEqual(server.seen[0]?.headers["x-forwarded-host"], "dev1.service-now.com")
    }),
  )

  it("defaultFetch looks up globalThis.fetch at call time", async () => {
    const original = globalThis.fetch
    const seen: Array<string> = []
    globalThis.fetch = (async (input: Request) => {
      seen.push(input.url)
      return new Response(null, { status: 204 })
    }) as typeof fetch
    try {
      await defaultFetch(new Request("https://example.org/spy"))
    } finally {
      globalThis.fetch = original
    }
    assert.deepStrictEqual(seen, ["https://example.org/spy"])
  })
})

// Forces a full collection (the flag set at run time, as vitest does not start Node with it).
const collectGarbage = (): void => {
  setFlagsFromString("--expose-gc")
  ;(runInNewContext("gc") as () => void)()
}

describe("routingFetch and aborts", () => {
  it.live("an abort reaches the routed request even after a garbage collection", () =>
    Effect.gen(function* () {
      // A server that never answers: only the abort can end the request.
      const server = yield* startServer(() => new Promise(() => undefined))
      const controller = new AbortController()
      // The caller holds its own request, as openapi-fetch does while it awaits the fetch.
      const request = new Request("https://dev12345.service-now.com/x", { signal: controller.signal })
      const pending = routingFetch({ "*.service-now.com": server.origin })(request).then(
        () => "answered",
        (error: unknown) => (error as Error).name,
      )
      while (server.seen.length === 0) yield* Effect.sleep("5 millis")
      // undici's Request follows its signal through a weak reference: a routed request no one held
      // would be collected here, and the abort would never reach the fetch.
      for (let i = 0; i < 3; i++) collectGarbage()
      controller.abort()
      const outcome = yield* Effect.promise(() => pending).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(outcome, "AbortError")
      assert.strictEqual(request.signal.aborted, true)
    }),
  )
})
