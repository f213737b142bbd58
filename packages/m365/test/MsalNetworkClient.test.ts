/**
 * msal-node's network client over core's fetch: msal's only road to the identity platform, with
 * core's transport rules, typed errors and retries.
 */
import { ConfidentialClientApplication } from "@azure/msal-node"
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { Effect } from "effect"
import { msalNetworkClient } from "../src/MsalNetworkClient.ts"
import { GRAPH_DEFAULT_SCOPE } from "../src/vendor.ts"
import { adminCredential, claimsOf, countRequests, emulator, expectTag } from "./support.ts"

describe("msalNetworkClient", () => {
  it.live("serves a hand-built msal application (production authority, emulator behind the fetch)", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const { tenantId, adminApp } = e.microsoft.defaults
      const cca = new ConfidentialClientApplication({
        auth: {
          clientId: adminApp.appId,
          clientSecret: adminApp.secret,
          authority: `https://login.microsoftonline.com/${tenantId}`,
        },
        system: { networkClient: msalNetworkClient(e.fetch) },
      })
      const result = yield* Effect.promise(() =>
        cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT_SCOPE] }),
      )
      assert.strictEqual(claimsOf(result?.accessToken ?? "").appid, adminApp.appId)
    }),
  )

  it.live("makeCredential sends nothing but token requests, all through the given fetch", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const hosts: Array<string> = []
      const only: Fetch = (request) => {
        const url = new URL(request.url)
        hosts.push(`${request.method} ${url.host}${url.pathname}`)
        return url.host === "login.microsoftonline.com"
          ? e.fetch(request)
          : Promise.reject(new Error(`unexpected host ${url.host}`))
      }
      yield* adminCredential(e, { fetch: only }).getToken(GRAPH_DEFAULT_SCOPE)
      yield* adminCredential(e, { fetch: only, tenant: e.microsoft.defaults.tenantDomain }).getToken(
        "https://admin.microsoft.com/.default",
      )
      assert.deepStrictEqual(hosts, [
        `POST login.microsoftonline.com/${e.microsoft.defaults.tenantId}/oauth2/v2.0/token`,
        `POST login.microsoftonline.com/${e.microsoft.defaults.tenantDomain}/oauth2/v2.0/token`,
      ])
    }),
  )

  it.live("5xx answers are retried (Retry-After honoured) before msal sees them", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      e.faults.add({
        kind: "status",
        system: "login",
        status: 503,
        headers: { "retry-after": "0" },
        times: 2,
      })
      yield* adminCredential(e).getToken(GRAPH_DEFAULT_SCOPE)
      assert.strictEqual(countRequests(e, "login"), 3)
    }),
  )

  it.live("a token service that keeps answering 503 is ServerError, and not blamed on the network", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      e.faults.add({
        kind: "status",
        system: "login",
        status: 503,
        headers: { "retry-after": "0" },
        times: 100,
      })
      const error = expectTag(
        yield* Effect.flip(adminCredential(e).getToken(GRAPH_DEFAULT_SCOPE)),
        "ServerError",
      )
      assert.strictEqual(error.status, 503)
      assert.include(error.remedy ?? "", "kept failing or throttling")
      assert.notInclude(error.remedy ?? "", "check the network")
    }),
  )

  it.live("an HTML page instead of JSON (a proxy) is UnexpectedResponse", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const proxy: Fetch = async () =>
        new Response("<!DOCTYPE html><html><title>Sign in to the proxy</title></html>", {
          headers: { "content-type": "text/html" },
        })
      const error = expectTag(
        yield* Effect.flip(adminCredential(e, { fetch: proxy }).getToken(GRAPH_DEFAULT_SCOPE)),
        "UnexpectedResponse",
      )
      assert.strictEqual(error.reason, "html-content-type")
      assert.include(error.remedy ?? "", "login.microsoftonline.com")
    }),
  )

  it.live("an unknown host is NetworkError with the system code, not an msal 'network_error'", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const offline: Fetch = () =>
        Promise.reject(
          Object.assign(new TypeError("fetch failed"), {
            cause: Object.assign(new Error("getaddrinfo ENOTFOUND login.microsoftonline.com"), {
              code: "ENOTFOUND",
            }),
          }),
        )
      const error = expectTag(
        yield* Effect.flip(adminCredential(e, { fetch: offline }).getToken(GRAPH_DEFAULT_SCOPE)),
        "NetworkError",
      )
      assert.strictEqual(error.code, "ENOTFOUND")
      assert.match(error.url, /^https:\/\/login\.microsoftonline\.com\//)
    }),
  )

  it.live("plain http to a non-loopback host is refused before any request (InsecureTransport)", () =>
    Effect.gen(function* () {
      const network = msalNetworkClient(() => Promise.reject(new Error("must not be called")))
      const error = yield* Effect.flip(
        Effect.tryPromise({
          try: () =>
            network.sendPostRequestAsync("http://login.example.com/t/oauth2/v2.0/token", { body: "" }),
          catch: (e) => e as { _tag: string },
        }),
      )
      assert.strictEqual(error._tag, "InsecureTransport")
    }),
  )
})
