import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { callWithResponse } from "../src/Call.ts"
import { routingFetch } from "../src/Fetch.ts"
import {
  nextFromLinkHeader,
  nextFromODataNextLink,
  type Page,
  paginate,
  parseLinkHeader,
} from "../src/Pagination.ts"
import { type RetryEvent, RetryObserver, withRetry } from "../src/Retry.ts"
import { makeClient } from "./support/api.ts"
import { json, startServer } from "./support/server.ts"

describe("parseLinkHeader", () => {
  it("parses ServiceNow's comma-joined absolute URLs without spaces (commas inside URLs kept)", () => {
    const base =
      "https://dev1.service-now.com/api/now/table/sys_user?sysparm_fields=sys_id,name&sysparm_limit=2"
    const links = parseLinkHeader(
      `<${base}&sysparm_offset=0>;rel="first",<${base}&sysparm_offset=2>;rel="next",<${base}&sysparm_offset=4>;rel="last"`,
    )
    assert.deepStrictEqual(
      links.map((l) => [l.rel, l.url]),
      [
        [["first"], `${base}&sysparm_offset=0`],
        [["next"], `${base}&sysparm_offset=2`],
        [["last"], `${base}&sysparm_offset=4`],
      ],
    )
  })

  it("tolerates spaces, bare values, several rels, extra and quoted parameters", () => {
    const links = parseLinkHeader(
      ' < /p?page=2 > ; REL = "Next Last" ; title="a, \\"b\\"; c" ; type=text/html , </p?page=1>;rel=prev;rel=ignored',
    )
    assert.deepStrictEqual(links, [
      {
        url: "/p?page=2",
        rel: ["next", "last"],
        params: { rel: "Next Last", title: 'a, "b"; c', type: "text/html" },
      },
      { url: "/p?page=1", rel: ["prev"], params: { rel: "prev" } },
    ])
  })

  it("recovers from a missing comma and ignores junk", () => {
    assert.deepStrictEqual(
      parseLinkHeader('<a>; rel="next" <b>; rel=last; flag').map((l) => [l.url, l.rel, l.params]),
      [
        ["a", ["next"], { rel: "next" }],
        ["b", ["last"], { rel: "last", flag: "" }],
      ],
    )
    assert.deepStrictEqual(parseLinkHeader(""), [])
    assert.deepStrictEqual(parseLinkHeader("garbage"), [])
    assert.deepStrictEqual(parseLinkHeader("<unterminated; rel=next"), [])
    assert.deepStrictEqual(parseLinkHeader("<x> junk"), [{ url: "x", rel: [], params: {} }])
  })
})

describe("next-link extractors", () => {
  const page = (data: unknown, headers: Record<string, string> = {}): Page => ({
    data,
    response: new Response(null, { headers }),
  })

  it("nextFromLinkHeader picks rel=next", () => {
    assert.strictEqual(
      nextFromLinkHeader(page(null, { link: '<https://x/1>; rel="first", <https://x/3>; rel="next"' })),
      "https://x/3",
    )
    assert.isUndefined(nextFromLinkHeader(page(null, { link: '<https://x/1>; rel="first"' })))
    assert.isUndefined(nextFromLinkHeader(page(null)))
  })

  it("nextFromODataNextLink reads @odata.nextLink", () => {
    assert.strictEqual(nextFromODataNextLink(page({ "@odata.nextLink": "https://g/next" })), "https://g/next")
    assert.isUndefined(nextFromODataNextLink(page({ "@odata.nextLink": "" })))
    assert.isUndefined(nextFromODataNextLink(page({ value: [] })))
    assert.isUndefined(nextFromODataNextLink(page(undefined)))
  })
})

const ROWS = ["a", "b", "c", "d", "e"].map((name, i) => ({ id: String(i), name }))

describe("paginate over a real server", () => {
  it.effect("follows ServiceNow Link headers, retrying a failed page without refetching earlier ones", () =>
    Effect.gen(function* () {
      let failedOnce = false
      const server = yield* startServer((req, res) => {
        const url = new URL(req.url ?? "/", "https://dev1.service-now.com")
        const offset = Number(url.searchParams.get("offset") ?? "0")
        if (offset === 2 && !failedOnce) {
          failedOnce = true
          return json(res, 503, { error: { message: "busy", detail: null }, status: "failure" })
        }
        const host = `https://${req.headers["x-forwarded-host"]}`
        const link = (o: number, rel: string) => `<${host}/list?offset=${o}>;rel="${rel}"`
        const links = [
          link(0, "first"),
          ...(offset + 2 < ROWS.length ? [link(offset + 2, "next")] : []),
          link(4, "last"),
        ]
        json(res, 200, { result: ROWS.slice(offset, offset + 2) }, { link: links.join(",") })
      })
      const api = makeClient(
        "https://dev1.service-now.com",
        routingFetch({ "*.service-now.com": server.origin }),
      )
      const events: Array<RetryEvent> = []
      const rows = paginate({
        fetchPage: (next) =>
          callWithResponse((signal) =>
            api.GET("/list", {
              ...(next === undefined ? {} : { querySerializer: () => next.search.slice(1) }),
              signal,
            }),
          ).pipe(withRetry()),
        nextLink: nextFromLinkHeader,
      }).pipe(Stream.flatMap((page) => Stream.fromIterable(page.data.result ?? [])))
      const retrying = yield* Deferred.make<void>()
      const observe = (e: RetryEvent) =>
        Effect.sync(() => events.push(e)).pipe(Effect.andThen(Deferred.succeed(retrying, undefined)))
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(rows).pipe(Effect.provideService(RetryObserver, observe)),
      )
      // Real I/O takes real time: move the clock only once the retry is scheduled.
      yield* Deferred.await(retrying)
      yield* TestClock.adjust("1 minute")
      const collected = yield* Fiber.join(fiber)
      assert.deepStrictEqual(collected, ROWS)
      assert.deepStrictEqual(
        server.seen.map((s) => s.url),
        ["/list", "/list?offset=2", "/list?offset=2", "/list?offset=4"],
      )
      assert.strictEqual(events.length, 1)
      assert.strictEqual(events[0]?.url, "https://dev1.service-now.com/list?offset=2")
    }),
  )

  it.effect("follows Graph @odata.nextLink, including a relative one", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        const offset = Number(new URL(req.url ?? "/", "http://x").searchParams.get("offset") ?? "0")
        const next =
          offset === 0
            ? "https://graph.microsoft.com/list?offset=2"
            : offset === 2
              ? "/list?offset=4"
              : undefined
        json(res, 200, {
          value: ROWS.slice(offset, offset + 2),
          ...(next ? { "@odata.nextLink": next } : {}),
        })
      })
      const api = makeClient(
        "https://graph.microsoft.com",
        routingFetch({ "graph.microsoft.com": server.origin }),
      )
      const pages = yield* Stream.runCollect(
        paginate({
          fetchPage: (next) =>
            callWithResponse((signal) =>
              api.GET("/list", { ...(next ? { querySerializer: () => next.search.slice(1) } : {}), signal }),
            ),
          nextLink: nextFromODataNextLink,
        }),
      )
      assert.deepStrictEqual(
        pages.flatMap((p) => p.data.value ?? []),
        ROWS,
      )
      assert.strictEqual(server.seen.length, 3)
    }),
  )

  it.effect("refuses a next link to another origin, sending nothing there", () =>
    Effect.gen(function* () {
      const elsewhere = yield* startServer((_req, res) => json(res, 200, { value: [] }))
      const server = yield* startServer((_req, res) =>
        json(res, 200, { value: ROWS.slice(0, 1), "@odata.nextLink": `${elsewhere.origin}/list?token=x` }),
      )
      const api = makeClient(server.origin)
      const error = yield* Stream.runCollect(
        paginate({
          fetchPage: () => callWithResponse((signal) => api.GET("/list", { signal })),
          nextLink: nextFromODataNextLink,
        }),
      ).pipe(Effect.flip)
      assert.isTrue(error._tag === "UnexpectedResponse" && error.reason === "cross-origin-next-link")
      assert.isTrue(error._tag === "UnexpectedResponse" && error.location === `127.0.0.1:${elsewhere.port}`)
      assert.lengthOf(elsewhere.seen, 0)
    }),
  )

  it.effect("stops with an error when a server links back to a page already read", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) =>
        json(res, 200, {
          value: ROWS.slice(0, 1),
          "@odata.nextLink": `http://${req.headers.host}/list?page=2`,
        }),
      )
      const api = makeClient(server.origin)
      const error = yield* Stream.runCollect(
        paginate({
          fetchPage: (next) =>
            callWithResponse((signal) =>
              api.GET("/list", { ...(next ? { querySerializer: () => next.search.slice(1) } : {}), signal }),
            ),
          nextLink: nextFromODataNextLink,
        }),
      ).pipe(Effect.flip)
      assert.isTrue(error._tag === "UnexpectedResponse" && error.reason === "repeated-next-link")
      // page 1, then page 2 (which links to itself): two requests, not an endless loop.
      assert.strictEqual(server.seen.length, 2)
    }),
  )
})

describe("paginate without a transport-vetted response", () => {
  const pageWith = (link: string | undefined, url = ""): Page<{ link?: string }> => {
    const response = new Response("{}")
    if (url !== "") Object.defineProperty(response, "url", { value: url })
    return { data: link === undefined ? {} : { link }, response }
  }

  it.effect("resolves against response.url, and fails on a link that is not a URL", () =>
    Effect.gen(function* () {
      const seen: Array<string | undefined> = []
      const pages = [pageWith("/p2", "https://x.example/p1"), pageWith(undefined)]
      yield* Stream.runDrain(
        paginate({
          fetchPage: (next) =>
            Effect.sync(() => {
              seen.push(next?.href)
              return pages[seen.length - 1] ?? pageWith(undefined)
            }),
          nextLink: (page) => page.data.link,
        }),
      )
      assert.deepStrictEqual(seen, [undefined, "https://x.example/p2"])
      const error = yield* Stream.runDrain(
        paginate({
          fetchPage: () => Effect.succeed(pageWith("/relative-without-base")),
          nextLink: (p) => p.data.link,
        }),
      ).pipe(Effect.flip)
      assert.isTrue(error._tag === "UnexpectedResponse" && error.reason === "invalid-next-link")
    }),
  )
})
