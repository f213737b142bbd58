/** Service principals against the emulated Graph, including the NoBackingApplicationObject race. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { adminApps, emulator, expectTag, redirectUri, uniqueName, withRetryEvents } from "./support.ts"

const input = { displayName: "Outbound", web: { redirectUris: [redirectUri()] } }

describe("service principals", () => {
  it.live("ensureServicePrincipal creates it once, then keeps it", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      assert.isUndefined(yield* apps.findServicePrincipal(application.appId))
      const first = yield* apps.ensureServicePrincipal(application.appId)
      assert.isTrue(first.created)
      assert.strictEqual(first.servicePrincipal.appId, application.appId)
      const second = yield* apps.ensureServicePrincipal(application.appId)
      assert.isFalse(second.created)
      assert.strictEqual(second.servicePrincipal.id, first.servicePrincipal.id)
      assert.strictEqual((yield* apps.findServicePrincipal(application.appId))?.id, first.servicePrincipal.id)
    }),
  )

  it.live("knownAbsent creates without looking first, and still returns one that exists", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const lookups = () =>
        e.requests.count(
          (r) => r.method === "GET" && r.path.includes(`servicePrincipals(appId='${application.appId}')`),
        )
      const first = yield* apps.ensureServicePrincipal(application.appId, { knownAbsent: true })
      assert.isTrue(first.created)
      assert.strictEqual(lookups(), 0)
      // Wrong about it: the create answers 409 and the existing one is read back.
      const again = yield* apps.ensureServicePrincipal(application.appId, { knownAbsent: true })
      assert.isFalse(again.created)
      assert.strictEqual(again.servicePrincipal.id, first.servicePrincipal.id)
      assert.strictEqual(
        e.microsoft.servicePrincipals().filter((sp) => sp.appId === application.appId).length,
        1,
      )
    }),
  )

  it.live("deleteServicePrincipal is idempotent", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const { servicePrincipal } = yield* apps.ensureServicePrincipal(application.appId)
      yield* apps.deleteServicePrincipal(servicePrincipal.id)
      assert.isUndefined(yield* apps.findServicePrincipal(application.appId))
      yield* adminApps(e).deleteServicePrincipal(servicePrincipal.id)
    }),
  )

  it.live("right after the application was created, NoBackingApplicationObject is waited out", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { objectsMs: 60_000 } } })
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const { events, effect } = withRetryEvents(apps.ensureServicePrincipal(application.appId))
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 2) yield* Effect.sleep("10 millis")
      e.clock.advance(60_000)
      const { created } = yield* Fiber.join(fiber)
      assert.isTrue(created)
      assert.isTrue(events.every((event) => event.reason.tag === "BadRequest" && event.reason.status === 400))
      assert.isTrue(
        events.every((event) => event.url === "https://graph.microsoft.com/v1.0/servicePrincipals"),
      )
    }),
  )

  it.live("a lag beyond the budget fails with ReplicationLag", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { objectsMs: 600_000 } } })
      const apps = adminApps(e, { replicationBudget: "400 millis" })
      const { application } = yield* apps.upsert(uniqueName(), input)
      const error = expectTag(
        yield* Effect.flip(apps.ensureServicePrincipal(application.appId)),
        "ReplicationLag",
      )
      assert.strictEqual(error.operation, "ensureServicePrincipal")
      assert.strictEqual(error.target, application.appId)
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.vendorCode, "Request_BadRequest")
      assert.isAtLeast(error.waitedMs, 200)
      assert.isAtMost(error.waitedMs, 2_000)
      assert.include(error.message, "still not replicated")
    }),
  )
})
