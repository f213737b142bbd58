import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import type { ServiceNowAuth } from "../src/Auth.ts"
import { clientOf, freshInstance, inboundClient, requestsTo, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const TOKEN_PATH = "/oauth_token.do"

/** emulator.fetch, recording the grant_type of every token request. */
const grantSpy = () => {
  const grants: Array<string> = []
  const fetch: Fetch = async (request) => {
    if (new URL(request.url).pathname === TOKEN_PATH) {
      grants.push(new URLSearchParams(await request.clone().text()).get("grant_type") ?? "?")
    }
    return emulator.fetch(request)
  }
  return { grants, fetch }
}

const passwordAuth = (
  instance: string,
  lifespans: { access?: string; refresh?: string } = {},
): ServiceNowAuth => {
  const client = inboundClient(emulator, instance)
  emulator.servicenow.update(instance, "oauth_entity", client.sysId, {
    ...(lifespans.access === undefined ? {} : { access_token_lifespan: lifespans.access }),
    ...(lifespans.refresh === undefined ? {} : { refresh_token_lifespan: lifespans.refresh }),
  })
  return {
    type: "oauthPassword",
    clientId: client.clientId,
    clientSecret: Redacted.make(client.secret),
    username: "admin",
    password: Redacted.make("admin"),
  }
}

const countUsers = (client: ReturnType<typeof clientOf>) => client.table("sys_user").count()

describe("Basic authentication", () => {
  it.live("sends the credentials on every request", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      assert.strictEqual(yield* countUsers(clientOf(emulator, instance)), 2)
      const wrong = clientOf(emulator, instance, {
        auth: { type: "basic", username: "admin", password: Redacted.make("not-the-password") },
      })
      const error = yield* Effect.flip(countUsers(wrong))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 2, "a 401 under Basic is not retried")
    }),
  )
})

describe("OAuth password grant", () => {
  it.effect("obtains one token, reuses it, refreshes it before expiry with the refresh token", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const spy = grantSpy()
      // 600 s tokens: renewed a minute early, at 540 s.
      const client = clientOf(emulator, instance, {
        auth: passwordAuth(instance, { access: "600" }),
        fetch: spy.fetch,
      })
      yield* countUsers(client)
      yield* countUsers(client)
      assert.deepStrictEqual(spy.grants, ["password"])
      yield* TestClock.adjust("530 seconds")
      yield* countUsers(client)
      assert.deepStrictEqual(spy.grants, ["password"], "still valid for more than a minute")
      yield* TestClock.adjust("20 seconds")
      yield* countUsers(client)
      assert.deepStrictEqual(spy.grants, ["password", "refresh_token"], "refreshed before it expired")
    }),
  )

  it.effect("signs in again when the refresh token no longer works", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const spy = grantSpy()
      const client = clientOf(emulator, instance, {
        auth: passwordAuth(instance, { access: "600", refresh: "700" }),
        fetch: spy.fetch,
      })
      yield* countUsers(client)
      // Both the client's and the instance's clocks move past the refresh token's life.
      yield* TestClock.adjust("800 seconds")
      emulator.clock.advance(800_000)
      yield* countUsers(client)
      assert.deepStrictEqual(spy.grants, ["password", "refresh_token", "password"])
    }),
  )

  it.effect("renews a token the instance refuses (expired or revoked early), once", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const spy = grantSpy()
      const client = clientOf(emulator, instance, {
        auth: passwordAuth(instance, { access: "600" }),
        fetch: spy.fetch,
      })
      yield* countUsers(client)
      // Only the instance's clock moves: the client still trusts its token, the instance refuses it.
      emulator.clock.advance(601_000)
      assert.strictEqual(yield* countUsers(client), 2)
      assert.deepStrictEqual(spy.grants, ["password", "refresh_token"])
      assert.strictEqual(
        emulator.requests.count(
          (r) => r.host === `${instance}.service-now.com` && r.status === 401 && r.method === "GET",
        ),
        1,
      )
    }),
  )

  it.effect("is single-flight: 20 concurrent requests make one token request, and one refresh", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = clientOf(emulator, instance, { auth: passwordAuth(instance, { access: "600" }) })
      const counts = yield* Effect.all(
        Array.from({ length: 20 }, () => countUsers(client)),
        {
          concurrency: "unbounded",
        },
      )
      assert.deepStrictEqual(new Set(counts), new Set([2]))
      assert.strictEqual(requestsTo(emulator, instance, "POST", TOKEN_PATH), 1)
      yield* TestClock.adjust("550 seconds")
      yield* Effect.all(
        Array.from({ length: 20 }, () => countUsers(client)),
        { concurrency: "unbounded" },
      )
      assert.strictEqual(requestsTo(emulator, instance, "POST", TOKEN_PATH), 2)
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 40)
    }),
  )

  it.live("reports a refused grant with what to check, without the secrets", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const auth = passwordAuth(instance)
      const client = clientOf(emulator, instance, {
        auth: { ...auth, password: Redacted.make("wrong-password-123") } as ServiceNowAuth,
      })
      const error = yield* Effect.flip(countUsers(client))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.include(error.message, "/oauth_token.do")
      assert.include(error.message, "access_denied")
      assert.include(error.remedy ?? "", "sysparm_input_display_value=true")
      assert.notInclude(JSON.stringify(error), "wrong-password-123")
      assert.notInclude(JSON.stringify(error), "in-secret-1234")
      assert.strictEqual(requestsTo(emulator, instance, "GET"), 0, "no data request without a token")
    }),
  )
})

describe("OAuth client credentials and bearer tokens", () => {
  it.live("uses the client-credentials grant (no refresh token)", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const inbound = inboundClient(emulator, instance)
      const [admin] = emulator.servicenow.find(instance, "sys_user", "user_name=admin")
      emulator.servicenow.update(instance, "oauth_entity", inbound.sysId, {
        oauth_application_user: admin?.sys_id ?? "",
      })
      const auth: ServiceNowAuth = {
        type: "oauthClientCredentials",
        clientId: inbound.clientId,
        clientSecret: Redacted.make(inbound.secret),
      }
      const off = yield* Effect.flip(countUsers(clientOf(emulator, instance, { auth })))
      assert.strictEqual(off._tag, "Unauthorized")
      assert.include(off.remedy ?? "", "glide.oauth.inbound.client.credential.grant_type.enabled")
      emulator.servicenow.setClientCredentials(instance, true)
      assert.strictEqual(yield* countUsers(clientOf(emulator, instance, { auth })), 2)
    }),
  )

  it.live("takes a fixed bearer token or a token provider", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const inbound = inboundClient(emulator, instance)
      const admin = clientOf(emulator, instance)
      const token = yield* admin.token({
        grant: "password",
        clientId: inbound.clientId,
        clientSecret: Redacted.make(inbound.secret),
        username: "admin",
        password: Redacted.make("admin"),
      })
      assert.isDefined(token.refreshToken)
      assert.strictEqual(token.scope, "useraccount")
      assert.strictEqual(String(token.accessToken), "<redacted>")
      const fixed = clientOf(emulator, instance, { auth: { type: "bearer", token: token.accessToken } })
      assert.strictEqual(yield* countUsers(fixed), 2)
      let provided = 0
      const provider = Effect.sync(() => {
        provided++
        return token.accessToken
      })
      const dynamic = clientOf(emulator, instance, { auth: { type: "bearer", token: provider } })
      yield* countUsers(dynamic)
      yield* countUsers(dynamic)
      assert.strictEqual(provided, 2)
      const stale = clientOf(emulator, instance, {
        auth: { type: "bearer", token: Redacted.make("not-a-token") },
      })
      const error = yield* Effect.flip(countUsers(stale))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.include(error.remedy ?? "", "bearer token was refused")
    }),
  )
})
