/**
 * Transport safety, end to end through the clients the setup uses: plain http is refused except to
 * loopback, before anything is sent; a redirect to another origin (another host, or the same host
 * over http) is never followed — so the credentials of the request never reach it — whichever
 * request of a run it answers; a next-page link to another host is never fetched.
 */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { makeServiceNow } from "@sn365/servicenow"
import { Cause, Effect, Exit, Redacted, Stream } from "effect"
import { decodeConfig } from "../../src/Config.ts"
import { apply } from "../../src/Setup.ts"
import { configInput } from "../support/emulator.ts"
import { applySignatures, signatureOf } from "./support/crash.ts"
import { reportFigures, stats } from "./support/stats.ts"
import { assertConverged, converge, INSTANCE, makeWorld, runOptions } from "./support/world.ts"

reportFigures()

const EVIL = "evil.example"

interface Sent {
  readonly url: URL
  readonly authorization: string | null
}

/** Records every request that reaches the network (under the clients' transport). */
const recorder =
  (next: Fetch, sent: Array<Sent>): Fetch =>
  (request) => {
    sent.push({ url: new URL(request.url), authorization: request.headers.get("authorization") })
    const host = new URL(request.url).hostname
    if (host === EVIL || new URL(request.url).protocol === "http:")
      return Promise.resolve(
        new Response('{"stolen":true}', { headers: { "content-type": "application/json" } }),
      )
    return next(request)
  }

describe("transport safety", () => {
  it.live("plain http to a non-loopback instance is refused before a request is made", () =>
    Effect.gen(function* () {
      stats.add("faults")
      const world = yield* makeWorld()
      const input = configInput(world.emulator, {
        servicenow: {
          instance: `http://${INSTANCE}.service-now.com`,
          auth: { type: "basic", username: "admin", password: "admin" },
        },
      })
      const decoded = yield* Effect.exit(decodeConfig(input))
      assert.isTrue(Exit.isFailure(decoded), "the configuration refuses http")
      // The client refuses it too, whoever builds it: nothing reaches the network.
      const sent: Array<Sent> = []
      const client = makeServiceNow({
        instanceUrl: `http://${INSTANCE}.service-now.com`,
        auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
        fetch: recorder(world.emulator.fetch, sent),
      })
      const error = yield* Effect.flip(
        client
          .table("sys_user")
          .list({ fields: ["sys_id"] })
          .pipe(Stream.runCollect),
      )
      assert.strictEqual(error._tag, "InsecureTransport")
      assert.deepStrictEqual(sent, [])
      // Loopback over http is allowed: the request is sent.
      const local = makeServiceNow({
        instanceUrl: "http://127.0.0.1:9",
        auth: { type: "basic", username: "admin", password: Redacted.make("admin") },
        fetch: (request) => {
          sent.push({ url: new URL(request.url), authorization: null })
          return Promise.resolve(Response.json({ result: [] }))
        },
      })
      yield* local
        .table("sys_user")
        .list({ fields: ["sys_id"] })
        .pipe(Stream.runCollect)
      assert.strictEqual(sent[0]?.url.host, "127.0.0.1:9")
    }),
  )

  // Every request signature of a clean run, answered once with a redirect.
  const signatures = applySignatures(makeWorld())

  for (const [name, target, status] of [
    ["to another host", (url: URL) => `https://${EVIL}${url.pathname}${url.search}`, 302],
    ["to the same host over http", (url: URL) => `http://${url.host}${url.pathname}${url.search}`, 307],
    ["to another host, permanently", (_url: URL) => `https://${EVIL}/steal`, 308],
  ] as const)
    it.live(`a redirect ${name} at any request of a run is never followed`, () =>
      Effect.gen(function* () {
        const targets = yield* Effect.promise(() => signatures)
        assert.isAbove(targets.length, 15)
        for (const signature of targets)
          yield* Effect.scoped(
            Effect.gen(function* () {
              stats.add("faults")
              const world = yield* makeWorld()
              const sent: Array<Sent> = []
              let redirected = false
              const redirecting: Fetch = (request) => {
                if (redirected || signatureOf(request) !== signature) return world.fetch(request)
                redirected = true
                return Promise.resolve(
                  new Response(null, { status, headers: { location: target(new URL(request.url)) } }),
                )
              }
              const { options } = runOptions(world, { fetch: recorder(redirecting, sent) })
              const exit = yield* Effect.exit(apply(world.config, options))
              assert.isTrue(redirected, signature)
              if (Exit.isFailure(exit)) {
                assert.isFalse(Cause.hasDies(exit.cause), Cause.pretty(exit.cause))
                assert.match(Cause.pretty(exit.cause), /redirect/, signature)
              }
              const leaked = sent.filter((s) => s.url.hostname === EVIL || s.url.protocol === "http:")
              assert.deepStrictEqual(
                leaked.map((s) => `${s.url.href} (credentials: ${s.authorization !== null})`),
                [],
                `followed a redirect at ${signature}`,
              )
              assertConverged(yield* converge(world))
            }),
          )
      }),
    )

  it.live("a same-origin redirect of a read is followed (the rule is about origins, not redirects)", () =>
    Effect.gen(function* () {
      const world = yield* makeWorld()
      const sent: Array<Sent> = []
      let redirected = false
      const redirecting: Fetch = (request) => {
        const url = new URL(request.url)
        if (redirected || request.method !== "GET" || !url.pathname.includes("/table/sys_store_app"))
          return world.fetch(request)
        redirected = true
        return Promise.resolve(
          new Response(null, { status: 302, headers: { location: `${url.pathname}${url.search}&again=1` } }),
        )
      }
      const { options } = runOptions(world, { fetch: recorder(redirecting, sent) })
      yield* apply(world.config, options)
      assert.isTrue(sent.some((s) => s.url.search.includes("again=1")))
    }),
  )

  it.live("a next-page link to another host is never fetched", () =>
    Effect.gen(function* () {
      stats.add("faults")
      const world = yield* makeWorld()
      const sent: Array<Sent> = []
      const linking: Fetch = async (request) => {
        const response = await world.fetch(request)
        if (request.method !== "GET" || !new URL(request.url).pathname.startsWith("/api/now/v2/table/"))
          return response
        const headers = new Headers(response.headers)
        headers.set("link", `<https://${EVIL}/api/now/v2/table/sys_user?sysparm_offset=1>;rel="next"`)
        headers.delete("x-total-count")
        return new Response(await response.text(), { status: response.status, headers })
      }
      const { options } = runOptions(world, { fetch: recorder(linking, sent) })
      const exit = yield* Effect.exit(apply(world.config, options))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.match(Cause.pretty(exit.cause), /next-page link to another origin/)
      assert.deepStrictEqual(
        sent.filter((s) => s.url.hostname === EVIL).map((s) => s.url.href),
        [],
      )
    }),
  )
})
