import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { routingFetch } from "../src/Fetch.ts"
import { InsecureTransport, NetworkError, UnexpectedResponse } from "../src/HttpError.ts"
import { responseInfo } from "../src/internal/exchange.ts"
import { isAllowedUrl, isLoopbackHost, transportFetch } from "../src/Transport.ts"
import { json, startServer } from "./support/server.ts"

const rejection = (promise: Promise<unknown>): Effect.Effect<unknown> =>
  Effect.promise(() =>
    promise.then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    ),
  )

const HIBERNATING =
  '<!DOCTYPE html><html><head><title>Instance Hibernating</title><style>body{}</style></head><body><script>var token="abc"</script><div class="instance-hibernating-page"><h1>Your instance is hibernating</h1></div></body></html>'

describe("the https-except-loopback rule", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.3.4", true],
    ["[::1]", true],
    ["::1", true],
    ["128.0.0.1", false],
    ["localhost.evil.example", false],
    ["dev1.service-now.com", false],
  ])("isLoopbackHost(%s) is %s", (host, expected) => assert.strictEqual(isLoopbackHost(host), expected))

  it.each([
    ["https://dev1.service-now.com/", true],
    ["http://127.0.0.1:4010/", true],
    ["http://localhost/", true],
    ["http://[::1]:8080/", true],
    ["http://dev1.service-now.com/", false],
    ["http://10.0.0.1/", false],
    ["ftp://localhost/", false],
  ])("isAllowedUrl(%s) is %s", (url, expected) => assert.strictEqual(isAllowedUrl(url), expected))

  it.effect("refuses plain http to a remote host before any request, even when it would be routed", () =>
    Effect.gen(function* () {
      const sent: Array<Request> = []
      const spy = async (request: Request) => {
        sent.push(request)
        return new Response("{}")
      }
      const error = yield* rejection(
        transportFetch(routingFetch({ "*.service-now.com": "http://127.0.0.1:1" }, spy))(
          new Request("http://dev1.service-now.com/api/now/table/sys_user?password=x", {
            headers: { authorization: "Basic dTpw" },
          }),
        ),
      )
      assert.instanceOf(error, InsecureTransport)
      assert.strictEqual(
        (error as InsecureTransport).url,
        "http://dev1.service-now.com/api/now/table/sys_user?password=<redacted>",
      )
      assert.lengthOf(sent, 0)
    }),
  )

  it.effect("lets https through to routingFetch, which reaches the loopback emulator over http", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => json(res, 200, { result: [] }))
      const fetch = transportFetch(routingFetch({ "*.service-now.com": server.origin }))
      const response = yield* Effect.promise(() =>
        fetch(new Request("https://dev1.service-now.com/api/now/table/sys_user")),
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(server.seen[0]?.headers["x-forwarded-host"], "dev1.service-now.com")
      const info = responseInfo(response)
      assert.strictEqual(info?.method, "GET")
      assert.strictEqual(info?.url, "https://dev1.service-now.com/api/now/table/sys_user")
    }),
  )
})

describe("redirects", () => {
  it.effect("follows same-origin redirects for GET, credentials kept on the same origin", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.url === "/a") return void res.writeHead(302, { location: "/b" }).end()
        if (req.url === "/b") return void res.writeHead(307, { location: "/c?x=1" }).end()
        json(res, 200, { at: req.url })
      })
      const response = yield* Effect.promise(() =>
        transportFetch()(
          new Request(`${server.origin}/a`, { headers: { authorization: "Bearer same-origin" } }),
        ),
      )
      assert.deepStrictEqual(yield* Effect.promise(() => response.json()), { at: "/c?x=1" })
      assert.deepStrictEqual(
        server.seen.map((s) => [s.url, s.headers.authorization]),
        [
          ["/a", "Bearer same-origin"],
          ["/b", "Bearer same-origin"],
          ["/c?x=1", "Bearer same-origin"],
        ],
      )
    }),
  )

  it.effect("refuses a cross-origin redirect, naming only the host, and sends nothing there", () =>
    Effect.gen(function* () {
      const elsewhere = yield* startServer((_req, res) => json(res, 200, {}))
      const server = yield* startServer((_req, res) =>
        res.writeHead(302, { location: `${elsewhere.origin}/steal?code=abc` }).end(),
      )
      const error = yield* rejection(
        transportFetch()(
          new Request(`${server.origin}/a`, { headers: { authorization: "Bearer t0p-secret-token" } }),
        ),
      )
      assert.instanceOf(error, UnexpectedResponse)
      const e = error as UnexpectedResponse
      assert.strictEqual(e.reason, "cross-origin-redirect")
      assert.strictEqual(e.location, `127.0.0.1:${elsewhere.port}`)
      assert.strictEqual(e.status, 302)
      assert.lengthOf(elsewhere.seen, 0)
    }),
  )

  it.effect("refuses an https → http downgrade on the same host as cross-origin", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) =>
        res.writeHead(301, { location: "http://dev1.service-now.com/login" }).end(),
      )
      const fetch = transportFetch(routingFetch({ "*.service-now.com": server.origin }))
      const error = yield* rejection(fetch(new Request("https://dev1.service-now.com/api")))
      assert.strictEqual((error as UnexpectedResponse).reason, "cross-origin-redirect")
    }),
  )

  it.effect("does not follow a redirect of a POST, and never replays its body", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => res.writeHead(307, { location: "/again" }).end())
      const error = yield* rejection(
        transportFetch()(new Request(`${server.origin}/create`, { method: "POST", body: "{}" })),
      )
      assert.strictEqual((error as UnexpectedResponse).reason, "unfollowed-redirect")
      assert.lengthOf(server.seen, 1)
    }),
  )

  it.effect("stops after maxRedirects", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => res.writeHead(302, { location: "/loop" }).end())
      const error = yield* rejection(
        transportFetch(undefined, { maxRedirects: 2 })(new Request(`${server.origin}/loop`)),
      )
      assert.strictEqual((error as UnexpectedResponse).reason, "too-many-redirects")
      assert.lengthOf(server.seen, 3)
    }),
  )

  it.effect("returns a 3xx without Location as a response", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => res.writeHead(304).end())
      const response = yield* Effect.promise(() => transportFetch()(new Request(`${server.origin}/x`)))
      assert.strictEqual(response.status, 304)
    }),
  )
})

describe("HTML where JSON was expected", () => {
  // A large JSON answer must reach its reader whole (an earlier sniff of a tee'd body hung on it).
  it.effect(
    "passes a large JSON answer through in one piece, from a real server and from a plain Response",
    () =>
      Effect.gen(function* () {
        const big = JSON.stringify({ result: "x".repeat(64 * 1024) })
        const server = yield* startServer((_req, res) => {
          res.writeHead(201, { "content-type": "application/json" })
          res.end(big)
        })
        const viaServer = yield* Effect.promise(() =>
          transportFetch()(
            new Request(`${server.origin}/api/now/v2/table/sys_user`, { method: "POST", body: "{}" }),
          ),
        ).pipe(Effect.timeout("5 seconds"))
        assert.strictEqual(yield* Effect.promise(() => viaServer.text()), big)
        const viaResponse = yield* Effect.promise(() =>
          transportFetch(async () => new Response(big, { headers: { "content-type": "application/json" } }))(
            new Request("https://graph.microsoft.com/v1.0/applications"),
          ),
        ).pipe(Effect.timeout("5 seconds"))
        assert.strictEqual(yield* Effect.promise(() => viaResponse.text()), big)
      }),
  )

  it.effect("is refused by content type, with a redacted excerpt without head and scripts", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "x-transaction-id": "tx9" })
        res.end(HIBERNATING)
      })
      const error = (yield* rejection(
        transportFetch()(new Request(`${server.origin}/api/now/table/x`)),
      )) as UnexpectedResponse
      assert.instanceOf(error, UnexpectedResponse)
      assert.strictEqual(error.reason, "html-content-type")
      assert.strictEqual(error.status, 200)
      assert.strictEqual(error.contentType, "text/html; charset=utf-8")
      assert.strictEqual(error.requestId, "tx9")
      assert.include(error.excerpt, 'class="instance-hibernating-page"')
      assert.include(error.excerpt, "Your instance is hibernating")
      assert.notInclude(error.excerpt, "token")
      assert.notInclude(error.excerpt, "<title>")
    }),
  )

  it.effect("is refused when a body declared as JSON, or undeclared, is read as JSON or text", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        res.writeHead(200, req.url?.startsWith("/declared") ? { "content-type": "application/json" } : {})
        res.end(`\uFEFF  \n<html lang="en"><body>Sign in</body></html>`)
      })
      const read = (path: string, as: "json" | "text") =>
        Effect.flatMap(
          Effect.promise(() => transportFetch()(new Request(`${server.origin}${path}`))),
          (response) => rejection(as === "json" ? response.json() : response.text()),
        )
      const declared = (yield* read("/declared", "json")) as UnexpectedResponse
      const declaredText = (yield* read("/declared/text", "text")) as UnexpectedResponse
      const undeclared = (yield* read("/undeclared", "json")) as UnexpectedResponse
      for (const error of [declared, declaredText, undeclared]) {
        assert.instanceOf(error, UnexpectedResponse)
        assert.strictEqual(error.reason, "html-body")
        assert.include(error.excerpt, "Sign in")
      }
    }),
  )

  it.effect("checks a response that cannot take the checking readers (frozen, or its own) at once", () =>
    Effect.gen(function* () {
      const page = `<!DOCTYPE html><html><body>Sign in</body></html>`
      const declaredJson = { headers: { "content-type": "application/json" } }
      const frozen = transportFetch(async () => Object.freeze(new Response(page, declaredJson)))
      const refused = (yield* rejection(
        frozen(new Request("https://dev1.service-now.com/api/now/table/x")),
      )) as UnexpectedResponse
      assert.instanceOf(refused, UnexpectedResponse)
      assert.strictEqual(refused.reason, "html-body")
      const ownReaders = transportFetch(async () =>
        Object.assign(new Response('{"result":[]}', declaredJson), { text: async () => '{"result":[]}' }),
      )
      const passed = yield* Effect.promise(() =>
        ownReaders(new Request("https://dev1.service-now.com/api/now/table/x")),
      )
      assert.deepStrictEqual(yield* Effect.promise(() => passed.json()), { result: [] })
      assert.strictEqual(responseInfo(passed)?.method, "GET")
      const frozenJson = transportFetch(async () => Object.freeze(new Response('{"a":1}', declaredJson)))
      const json = yield* Effect.promise(() =>
        frozenJson(new Request("https://dev1.service-now.com/api/now/table/x")),
      )
      assert.deepStrictEqual(yield* Effect.promise(() => json.json()), { a: 1 })
    }),
  )

  it.effect("lets a JSON body that does not parse fail as a SyntaxError, not as HTML", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(`{"result": <b>`)
      })
      const response = yield* Effect.promise(() => transportFetch()(new Request(server.origin)))
      assert.instanceOf(yield* rejection(response.json()), SyntaxError)
    }),
  )

  it.effect("lets JSON, HTML the caller asked for, and HTML error pages through", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.url === "/json") return json(res, 200, { html: "<html>" })
        if (req.url === "/text")
          return void res.writeHead(200, { "content-type": "text/plain" }).end("<html>")
        res.writeHead(req.url === "/error" ? 503 : 200, { "content-type": "text/html" })
        res.end("<html><title>Maintenance</title></html>")
      })
      const fetch = transportFetch()
      const ok = yield* Effect.promise(() => fetch(new Request(`${server.origin}/json`)))
      assert.deepStrictEqual(yield* Effect.promise(() => ok.json()), { html: "<html>" })
      const asked = yield* Effect.promise(() =>
        fetch(new Request(`${server.origin}/page`, { headers: { accept: "text/html" } })),
      )
      assert.strictEqual(asked.status, 200)
      const text = yield* Effect.promise(() => fetch(new Request(`${server.origin}/text`)))
      assert.strictEqual(yield* Effect.promise(() => text.text()), "<html>")
      const error = yield* Effect.promise(() => fetch(new Request(`${server.origin}/error`)))
      assert.strictEqual(error.status, 503)
      const head = yield* Effect.promise(() =>
        fetch(new Request(`${server.origin}/page`, { method: "HEAD" })),
      )
      assert.strictEqual(head.status, 200)
    }),
  )
})

describe("network failures", () => {
  it.effect("connection refused is a NetworkError with the method, redacted URL and code", () =>
    Effect.gen(function* () {
      const closedPort = yield* Effect.scoped(
        Effect.map(
          startServer(() => undefined),
          (s) => s.port,
        ),
      )
      const error = (yield* rejection(
        transportFetch()(
          new Request(`http://127.0.0.1:${closedPort}/token?client_secret=shh`, { method: "POST" }),
        ),
      )) as NetworkError
      assert.instanceOf(error, NetworkError)
      assert.strictEqual(error.code, "ECONNREFUSED")
      assert.strictEqual(error.method, "POST")
      assert.strictEqual(error.url, `http://127.0.0.1:${closedPort}/token?client_secret=<redacted>`)
    }),
  )

  it.effect("a reset connection is a NetworkError with a system code", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req) => void req.socket.destroy())
      const error = (yield* rejection(transportFetch()(new Request(`${server.origin}/x`)))) as NetworkError
      assert.instanceOf(error, NetworkError)
      assert.isDefined(error.code)
      assert.isDefined(error.detail)
    }),
  )

  it.effect("reads the innermost system code, through aggregate errors (DNS, TLS)", () =>
    Effect.gen(function* () {
      const failing = (cause: unknown) => async () => {
        throw new TypeError("fetch failed", { cause })
      }
      const dns = Object.assign(new Error("getaddrinfo ENOTFOUND dev0.service-now.com"), {
        code: "ENOTFOUND",
      })
      const tls = Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" })
      const aggregate = Object.assign(
        new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]),
        {
          code: "ERR_AGG",
        },
      )
      const request = () => new Request("https://dev0.service-now.com/")
      const codes = []
      for (const cause of [dns, tls, aggregate, "not an error"]) {
        const error = (yield* rejection(transportFetch(failing(cause))(request()))) as NetworkError
        codes.push(error.code)
      }
      assert.deepStrictEqual(codes, ["ENOTFOUND", "CERT_HAS_EXPIRED", "ECONNREFUSED", undefined])
    }),
  )

  it.effect("an abort passes through untouched", () =>
    Effect.gen(function* () {
      const controller = new AbortController()
      const server = yield* startServer(() => controller.abort(new Error("caller gave up")))
      const error = yield* rejection(
        transportFetch()(new Request(`${server.origin}/slow`, { signal: controller.signal })),
      )
      assert.notInstanceOf(error, NetworkError)
      assert.strictEqual((error as Error).message, "caller gave up")
    }),
  )
})
