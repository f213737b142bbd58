import { inspect } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type Fetch, type RetryEvent, RetryObserver } from "@sn365/core"
import type { Emulator } from "@sn365/emulator"
import { Cause, Effect, Exit, Logger, Redacted, References } from "effect"
import { BatchItem } from "../src/Batch.ts"
import { createServiceNowClient } from "../src/Promise.ts"
import { clientOf, freshInstance, start, urlOf } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())

const CANARY = {
  basicPassword: "Canary-Basic-Pw-7f3a",
  clientSecret: "Canary-Client-Secret-91b2",
  userPassword: "Canary-User-Pw-55e1",
  newPassword: "Canary-New-Pw-0c4d",
}

/** Everything printable about a failure. */
const renderings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  error instanceof Error ? error.message : "",
  error instanceof Error ? (error.stack ?? "") : "",
  JSON.stringify(error),
  inspect(error, { depth: 10 }),
]

describe("canary: no secret in errors, retry events or logs", () => {
  it.live("passwords, client secrets, tokens and Basic credentials never leak", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const sn = emulator.servicenow
      // Known secrets on the instance: a web-service user and an inbound client.
      sn.insert(instance, "sys_user", {
        user_name: "canary",
        web_service_access_only: "true",
        user_password: CANARY.userPassword,
      })
      sn.grantRole(instance, "canary", "itil")
      const inbound = sn.insert(instance, "oauth_entity", {
        name: "canary",
        type: "client",
        client_secret: CANARY.clientSecret,
      })

      // Tokens the instance issues are watched too.
      const tokens: Array<string> = []
      const spy: Fetch = async (request) => {
        const response = await emulator.fetch(request)
        if (new URL(request.url).pathname === "/oauth_token.do" && response.ok) {
          const body = (await response.clone().json()) as { access_token?: string; refresh_token?: string }
          for (const token of [body.access_token, body.refresh_token])
            if (token !== undefined) tokens.push(token)
        }
        return response
      }
      const oauth = clientOf(emulator, instance, {
        fetch: spy,
        auth: {
          type: "oauthPassword",
          clientId: inbound.client_id ?? "",
          clientSecret: Redacted.make(CANARY.clientSecret),
          username: "canary",
          password: Redacted.make(CANARY.userPassword),
        },
      })
      const wrongBasic = clientOf(emulator, instance, {
        auth: { type: "basic", username: "admin", password: Redacted.make(CANARY.basicPassword) },
      })
      const wrongGrant = clientOf(emulator, instance, {
        auth: {
          type: "oauthPassword",
          clientId: inbound.client_id ?? "",
          clientSecret: Redacted.make(CANARY.clientSecret),
          username: "canary",
          password: Redacted.make(CANARY.basicPassword),
        },
      })

      const errors: Array<unknown> = []
      const events: Array<RetryEvent> = []
      const lines: Array<string> = []
      const logger = Logger.map(Logger.formatJson, (line) => void lines.push(line))
      const scenario = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(
          Effect.tapCause((cause) => Effect.logError("scenario failed", cause)),
          Effect.exit,
          Effect.tap((exit) =>
            Effect.sync(() => {
              if (Exit.isFailure(exit)) errors.push(exit.cause, Cause.squash(exit.cause))
            }),
          ),
          Effect.asVoid,
        )

      yield* Effect.gen(function* () {
        // Retries of a token request and of data requests under OAuth (the bearer token is on the wire).
        emulator.faults.add({
          system: "servicenow",
          kind: "status",
          status: 503,
          path: "/oauth_token.do",
          times: 1,
        })
        emulator.faults.add({
          system: "servicenow",
          kind: "status",
          status: 503,
          path: "/api/now/v2/table/incident",
          times: 2,
        })
        yield* scenario(oauth.table("incident").count())
        // A data request refused after the token was obtained; a write carrying a new password refused by an ACL.
        yield* scenario(oauth.table("sys_properties").create({ name: "x", value: CANARY.newPassword }))
        yield* scenario(
          oauth
            .table("sys_user")
            .create({ user_name: "x", user_password: Redacted.make(CANARY.newPassword) }),
        )
        // Wrong Basic password, a refused grant, a batch carrying a password, an explicit token request.
        yield* scenario(wrongBasic.table("sys_user").count())
        yield* scenario(wrongGrant.table("sys_user").count())
        yield* scenario(
          oauth
            .batch([
              BatchItem.create("sys_user", { user_name: "y", user_password: CANARY.newPassword }),
              BatchItem.get("sys_user", "missing"),
            ])
            .pipe(
              Effect.tap((results) =>
                Effect.sync(() =>
                  errors.push(...results.flatMap((r) => (r.error === undefined ? [] : [r.error]))),
                ),
              ),
            ),
        )
        yield* scenario(
          clientOf(emulator, instance).token({
            grant: "password",
            clientId: inbound.client_id ?? "",
            clientSecret: Redacted.make(CANARY.clientSecret),
            username: "canary",
            password: Redacted.make(CANARY.newPassword),
          }),
        )
        // Hibernation: the page is quoted in no error either way.
        sn.setHibernating(instance, true)
        yield* scenario(wrongBasic.table("sys_user").count())
        sn.setHibernating(instance, false)
      }).pipe(
        Effect.provideService(RetryObserver, (event) => Effect.sync(() => void events.push(event))),
        Effect.provideService(References.MinimumLogLevel, "Trace"),
        Effect.provide(Logger.layer([logger])),
      )
      emulator.faults.clear()

      // The Promise facade rejects with the same errors.
      const promiseClient = createServiceNowClient({
        instanceUrl: urlOf(instance),
        fetch: emulator.fetch,
        auth: { type: "basic", username: "admin", password: Redacted.make(CANARY.basicPassword) },
      })
      const rejected = yield* Effect.promise(() =>
        promiseClient
          .table("sys_user")
          .count()
          .catch((e: unknown) => e),
      )
      errors.push(rejected)

      assert.isAtLeast(tokens.length, 2, "tokens were issued and are watched")
      assert.isAtLeast(events.length, 3, "retries happened and were reported")
      assert.isAtLeast(errors.length, 8)
      assert.isAtLeast(lines.length, 8)
      const basic = Buffer.from(`admin:${CANARY.basicPassword}`).toString("base64")
      const secrets = [...Object.values(CANARY), basic, ...tokens]
      const texts = [...errors.flatMap(renderings), ...events.map((e) => JSON.stringify(e)), ...lines]
      for (const text of texts) {
        for (const secret of secrets) assert.notInclude(text, secret)
        assert.notInclude(text, encodeURIComponent(CANARY.userPassword))
      }
      // The errors still say what happened.
      const tags = errors.map((e) => (e as { _tag?: unknown })._tag)
      for (const tag of ["Unauthorized", "AclDenied", "NotFound", "InstanceHibernating"])
        assert.include(tags, tag)
    }),
  )
})
