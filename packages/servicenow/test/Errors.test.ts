import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type RetryEvent, RetryObserver } from "@sn365/core"
import type { Emulator } from "@sn365/emulator"
import { Effect, Redacted } from "effect"
import { Query } from "../src/Query.ts"
import type { RecordOf } from "../src/Records.ts"
import { clientOf, freshInstance, inboundClient, requestsTo, start } from "./support.ts"

let emulator: Emulator
beforeAll(async () => {
  emulator = await start()
})
afterAll(() => emulator.close())
const clearFaults = () => emulator.faults.clear()

/** Runs `effect` collecting the retry events reported to core's RetryObserver. */
const withEvents = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const events: Array<RetryEvent> = []
    const exit = yield* effect.pipe(
      Effect.provideService(RetryObserver, (event) => Effect.sync(() => void events.push(event))),
      Effect.exit,
    )
    return { exit, events }
  })

const itil = (instance: string) => {
  emulator.servicenow.grantRole(instance, "itil", "snc_basic_auth_api_access")
  return clientOf(emulator, instance, {
    auth: { type: "basic", username: "itil", password: Redacted.make("itil") },
  })
}

describe("hibernation", () => {
  it.live("reports a hibernating instance, for data and token requests, without retrying", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const inbound = inboundClient(emulator, instance)
      emulator.servicenow.setHibernating(instance, true)
      const error = yield* Effect.flip(clientOf(emulator, instance).table("sys_user").count())
      assert.strictEqual(error._tag, "InstanceHibernating")
      assert.include(error.remedy ?? "", "https://developer.servicenow.com/dev.do#!/home?wu=true")
      assert.include(error.message, "hibernating")
      assert.strictEqual(requestsTo(emulator, instance), 1)
      const oauth = clientOf(emulator, instance, {
        auth: {
          type: "oauthPassword",
          clientId: inbound.clientId,
          clientSecret: Redacted.make(inbound.secret),
          username: "admin",
          password: Redacted.make("admin"),
        },
      })
      assert.strictEqual((yield* Effect.flip(oauth.table("incident").get("x")))._tag, "InstanceHibernating")
      assert.strictEqual(requestsTo(emulator, instance), 2)
    }),
  )
})

describe("the Basic-auth gate", () => {
  it.live("says to use a web-service-only account or snc_basic_auth_api_access", () =>
    Effect.gen(function* () {
      const gated = yield* Effect.promise(() => start({ servicenow: { adminBasicAuthApiAccess: false } }))
      const error = yield* Effect.flip(clientOf(gated, freshInstance()).table("sys_user").count())
      yield* Effect.promise(() => gated.close())
      assert.strictEqual(error._tag, "Unauthorized")
      assert.include(error.remedy ?? "", "Web Service Access Only")
      assert.include(error.remedy ?? "", "snc_basic_auth_api_access")
      assert.include(error.message, "User Not Authenticated")
    }),
  )

  it.live("is a BasicAuthGate error when the instance uses the gate's own wording", () =>
    Effect.gen(function* () {
      const gated = yield* Effect.promise(() =>
        start({
          servicenow: { adminBasicAuthApiAccess: false, basicAuthGateWording: "User is not authenticated" },
        }),
      )
      const error = yield* Effect.flip(clientOf(gated, freshInstance()).table("sys_user").count())
      yield* Effect.promise(() => gated.close())
      assert.strictEqual(error._tag, "BasicAuthGate")
      if (error._tag === "BasicAuthGate") assert.strictEqual(error.username, "admin")
      assert.include(error.remedy ?? "", "snc_basic_auth_api_access")
    }),
  )
})

describe("ACLs", () => {
  it.live("reports create, update and delete refusals as AclDenied with the vendor's words", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = itil(instance)
      const create = yield* Effect.flip(client.table("sys_user_has_role").create({ user: "a", role: "b" }))
      assert.strictEqual(create._tag, "AclDenied")
      if (create._tag === "AclDenied") {
        assert.strictEqual(create.operation, "create")
        assert.strictEqual(create.table, "sys_user_has_role")
        assert.strictEqual(create.vendorDetail, "ACL Exception Insert Failed due to security constraints")
      }
      const [admin] = emulator.servicenow.find(instance, "sys_user", "user_name=admin")
      const update = yield* Effect.flip(client.table("sys_user").update(admin?.sys_id ?? "", { title: "x" }))
      assert.strictEqual(update._tag === "AclDenied" && update.operation, "update")
      const remove = yield* Effect.flip(client.table("sys_user").delete(admin?.sys_id ?? ""))
      assert.strictEqual(remove._tag === "AclDenied" && remove.operation, "delete")
      assert.strictEqual(requestsTo(emulator, instance), 3, "never retried")
    }),
  )

  it.live("reports a query on an unreadable field, and notes that a hidden record answers 404", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const client = itil(instance)
      const query = yield* Effect.flip(
        client
          .table("sys_user")
          .first({ query: Query.make<RecordOf<"sys_user">>().raw("user_passwordISNOTEMPTY") }),
      )
      assert.strictEqual(query._tag === "AclDenied" && query.operation, "query")
      assert.include(query.remedy ?? "", "may not read")
      const inbound = inboundClient(emulator, instance)
      const hidden = yield* Effect.flip(client.table("oauth_entity").get(inbound.sysId))
      assert.strictEqual(hidden._tag, "NotFound")
      assert.include(hidden.remedy ?? "", "an ACL hides it")
    }),
  )
})

describe("quotas and rate limits", () => {
  it.live("reports a cancelled transaction without retrying it", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.setTransactionQuota(instance, { cancelAll: true })
      const error = yield* Effect.flip(clientOf(emulator, instance).table("incident").get("x"))
      assert.strictEqual(error._tag, "TransactionCancelled")
      assert.include(error.message, "Transaction cancelled: maximum execution time exceeded")
      assert.strictEqual(requestsTo(emulator, instance), 1)
    }),
  )

  it.live("retries a 429 after the server's Retry-After, reporting the retry to the RetryObserver", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.faults.add({
        system: "servicenow",
        kind: "status",
        status: 429,
        headers: { "retry-after": "1" },
        times: 1,
      })
      const { exit, events } = yield* withEvents(clientOf(emulator, instance).table("sys_user").count())
      clearFaults()
      assert.strictEqual(exit._tag, "Success")
      assert.strictEqual(events.length, 1)
      assert.deepStrictEqual(events[0]?.reason, { tag: "Throttled", status: 429 })
      assert.strictEqual(events[0]?.delayMs, 1000)
    }),
  )

  it.live("does not wait an hour for a rate-limit window: the 429 surfaces with a remedy", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.servicenow.addRateLimitRule(instance, { limitPerHour: 1, table: "sys_user" })
      const users = clientOf(emulator, instance).table("sys_user")
      yield* users.count()
      const error = yield* Effect.flip(users.count())
      assert.strictEqual(error._tag, "Throttled")
      assert.include(error.message, "Rate limit of 1 requests per hour for Table API exceeded")
      assert.include(error.remedy ?? "", "rate_limit_admin")
      assert.strictEqual(requestsTo(emulator, instance), 2)
    }),
  )
})

describe("transient failures", () => {
  it.live("retries reads through a burst of 5xx and connection resets", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.faults.add({ system: "servicenow", kind: "status", status: 503, times: 2 })
      emulator.faults.add({ system: "servicenow", kind: "reset", times: 1 })
      const { exit, events } = yield* withEvents(clientOf(emulator, instance).table("sys_user").count())
      clearFaults()
      assert.strictEqual(exit._tag, "Success")
      assert.deepStrictEqual(
        events.map((e) => e.reason.tag),
        ["ServerError", "ServerError", "NetworkError"],
      )
      assert.strictEqual(requestsTo(emulator, instance), 4)
    }),
  )

  it.live("retries PUT and DELETE, never a POST the server may have processed", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      const incidents = clientOf(emulator, instance).table("incident")
      emulator.faults.add({ system: "servicenow", kind: "status", status: 502, method: "PUT", times: 1 })
      const created = yield* incidents.create({ short_description: "retry me" })
      const replaced = yield* incidents.replace(created.sys_id, { short_description: "replaced" })
      assert.strictEqual(replaced.short_description, "replaced")

      emulator.faults.add({ system: "servicenow", kind: "reset-after-commit", method: "POST", times: 1 })
      const lost = yield* Effect.flip(incidents.create({ short_description: "committed, answer lost" }))
      assert.strictEqual(lost._tag, "NetworkError")
      // It reached the server: the remedy says so, and does not send anyone to check the address.
      assert.include(lost.remedy ?? "", "may have been processed")
      assert.notInclude(lost.remedy ?? "", "Could not reach")
      emulator.faults.add({ system: "servicenow", kind: "status", status: 503, method: "POST", times: 1 })
      const unavailable = yield* Effect.flip(incidents.create({ short_description: "not retried" }))
      assert.strictEqual(unavailable._tag, "ServerError")
      clearFaults()
      assert.strictEqual(
        emulator.servicenow.count(instance, "incident", "short_description=committed, answer lost"),
        1,
      )
      assert.strictEqual(requestsTo(emulator, instance, "POST"), 3)
    }),
  )

  it.live("retries a POST the server provably did not process (429)", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.faults.add({
        system: "servicenow",
        kind: "status",
        status: 429,
        method: "POST",
        headers: { "retry-after": "0" },
        times: 1,
      })
      const created = yield* clientOf(emulator, instance)
        .table("incident")
        .create({ short_description: "throttled once" })
      clearFaults()
      assert.strictEqual(created.short_description, "throttled once")
      assert.strictEqual(requestsTo(emulator, instance, "POST"), 2)
    }),
  )

  it.live("aborts a request that outlives the timeout, and retries the read", () =>
    Effect.gen(function* () {
      const instance = freshInstance()
      emulator.faults.add({ system: "servicenow", kind: "hang", times: 1 })
      const { exit, events } = yield* withEvents(
        clientOf(emulator, instance, { timeout: "300 millis" }).table("sys_user").count(),
      )
      clearFaults()
      assert.strictEqual(exit._tag, "Success")
      assert.deepStrictEqual(events[0]?.reason, { tag: "Timeout" })
    }),
  )
})

describe("hibernation with an error status (a fake fetch: the emulator answers it with 200)", () => {
  it.live("is still InstanceHibernating, and not retried", () =>
    Effect.gen(function* () {
      let calls = 0
      const page =
        '<!DOCTYPE html><html><head><title>Instance Hibernating</title></head><body><div class="instance-hibernating-page"><h1>Your instance is hibernating</h1></div></body></html>'
      const client = clientOf(emulator, freshInstance(), {
        fetch: async () => {
          calls++
          return new Response(page, { status: 503, headers: { "content-type": "text/html" } })
        },
      })
      const error = yield* Effect.flip(client.table("sys_user").count())
      assert.strictEqual(error._tag, "InstanceHibernating")
      assert.strictEqual(calls, 1)
    }),
  )
})
