/** App registrations against the emulated Graph, over real HTTP. */
import { assert, describe, it } from "@effect/vitest"
import type { Fetch } from "@sn365/core"
import { Effect, Fiber } from "effect"
import { makeApplications } from "../src/Applications.ts"
import {
  adminApps,
  adminCredential,
  countRequests,
  emulator,
  expectTag,
  FAST_REPLICATION,
  ownedByCredential,
  redirectUri,
  uniqueName,
  withRetryEvents,
} from "./support.ts"

const outbound = (displayName = "ServiceNow M365 support – outbound") => ({
  displayName,
  signInAudience: "AzureADMyOrg",
  web: { redirectUris: [redirectUri()] },
  tags: ["sn365:managed"],
  notes: "managed by sn365",
})

describe("makeApplications: registrations", () => {
  it.live("upsert creates the application once, then finds it existing (idempotent by uniqueName)", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const name = uniqueName()
      const first = yield* apps.upsert(name, outbound())
      assert.isTrue(first.created)
      assert.strictEqual(first.application.uniqueName, name)
      assert.strictEqual(first.application.signInAudience, "AzureADMyOrg")
      assert.deepStrictEqual(first.application.web?.redirectUris, [redirectUri()])
      assert.deepStrictEqual(first.application.tags, ["sn365:managed"])

      const second = yield* apps.upsert(name, outbound("renamed"))
      assert.isFalse(second.created)
      assert.strictEqual(second.application.id, first.application.id)
      assert.strictEqual(second.application.appId, first.application.appId)
      assert.strictEqual(second.application.displayName, "renamed")
      assert.strictEqual(e.microsoft.applications().filter((a) => a.uniqueName === name).length, 1)
    }),
  )

  it.live(
    "a cached token the service refuses (expired early, revoked) is renewed once and the call made again",
    () =>
      Effect.gen(function* () {
        const e = yield* emulator()
        const apps = adminApps(e)
        const name = uniqueName()
        yield* apps.upsert(name, outbound())
        const tokensBefore = countRequests(e, "login")
        // msal still holds the token; the service's clock says it expired.
        e.clock.advance(2 * 3_600_000)
        const found = yield* apps.findByUniqueName(name)
        assert.strictEqual(found?.uniqueName, name)
        assert.strictEqual(
          e.requests.count((r) => r.system === "graph" && r.status === 401),
          1,
        )
        assert.strictEqual(countRequests(e, "login") - tokensBefore, 1, "one forced renewal")
      }),
  )

  it.live(
    "a call refused after another call already renewed the token uses that token: no second renewal",
    () =>
      Effect.gen(function* () {
        const e = yield* emulator()
        const credential = adminCredential(e)
        const first = makeApplications({ credential, fetch: e.fetch, ...FAST_REPLICATION })
        const name = uniqueName()
        yield* first.upsert(name, outbound())
        // A second client on the same credential, whose first request waits at the gate holding
        // the old token until the first client has met the 401 and renewed.
        const entered = Promise.withResolvers<void>()
        const gate = Promise.withResolvers<void>()
        let gated = false
        const held: Fetch = async (request) => {
          if (!gated) {
            gated = true
            entered.resolve()
            await gate.promise
          }
          return e.fetch(request)
        }
        const second = makeApplications({ credential, fetch: held, ...FAST_REPLICATION })
        const tokensBefore = countRequests(e, "login")
        e.clock.advance(2 * 3_600_000)
        const late = yield* Effect.forkChild(second.findByUniqueName(name))
        yield* Effect.promise(() => entered.promise)
        assert.strictEqual((yield* first.findByUniqueName(name))?.uniqueName, name)
        assert.strictEqual(countRequests(e, "login") - tokensBefore, 1, "the first refusal renews")
        gate.resolve()
        assert.strictEqual((yield* Fiber.join(late))?.uniqueName, name)
        assert.strictEqual(
          e.requests.count((r) => r.system === "graph" && r.status === 401),
          2,
          "both calls were refused once",
        )
        assert.strictEqual(countRequests(e, "login") - tokensBefore, 1, "no second renewal")
      }),
  )

  it.live(
    "upsert addresses a uniqueName with a single quote as an OData literal (quote doubled) and keeps it",
    () =>
      Effect.gen(function* () {
        const e = yield* emulator()
        const name = `${uniqueName()}-o'brien`
        const { application } = yield* adminApps(e).upsert(name, outbound("quote"))
        assert.strictEqual(application.uniqueName, name)
        assert.strictEqual((yield* adminApps(e).findByUniqueName(name))?.id, application.id)
      }),
  )

  it.live("upsert is one PATCH with Prefer: create-if-missing, single tenant by default", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const seen: Array<{ method: string; url: string; prefer: string | null; body: string }> = []
      const spy: Fetch = async (request) => {
        seen.push({
          method: request.method,
          url: request.url,
          prefer: request.headers.get("prefer"),
          body: await request.clone().text(),
        })
        return e.fetch(request)
      }
      const apps = makeApplications({ credential: adminCredential(e), fetch: spy })
      const name = uniqueName()
      yield* apps.upsert(name, { displayName: "Outbound", web: { redirectUris: [redirectUri()] } })
      assert.strictEqual(seen.length, 1)
      assert.strictEqual(seen[0]?.method, "PATCH")
      assert.strictEqual(seen[0]?.url, `https://graph.microsoft.com/v1.0/applications(uniqueName='${name}')`)
      assert.strictEqual(seen[0]?.prefer, "create-if-missing")
      assert.deepStrictEqual(JSON.parse(seen[0]?.body ?? "{}"), {
        displayName: "Outbound",
        signInAudience: "AzureADMyOrg",
        web: { redirectUris: [redirectUri()] },
      })
    }),
  )

  it.live("findByUniqueName, get by object id and by client id, findByDisplayName", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const name = uniqueName()
      assert.isUndefined(yield* apps.findByUniqueName(name))
      const { application } = yield* apps.upsert(name, outbound("twin"))
      yield* apps.upsert(uniqueName(), outbound("twin"))
      assert.strictEqual((yield* apps.findByUniqueName(name))?.id, application.id)
      assert.strictEqual((yield* apps.get(application.id)).appId, application.appId)
      assert.strictEqual((yield* apps.get(application.appId)).id, application.id)
      const twins = yield* apps.findByDisplayName("twin")
      assert.strictEqual(twins.length, 2)
      assert.deepStrictEqual(yield* apps.findByDisplayName("O'Brien's app"), [])
    }),
  )

  it.live("get of an unknown id is ApplicationNotFound, at once", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const error = expectTag(
        yield* Effect.flip(adminApps(e).get("00000000-0000-4000-8000-00000000dead")),
        "ApplicationNotFound",
      )
      assert.strictEqual(error.vendorCode, "Request_ResourceNotFound")
      assert.isString(error.requestId)
      // Object id, then client id: two requests, no replication wait.
      assert.strictEqual(countRequests(e, "graph"), 2)
    }),
  )

  it.live("update patches the application", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), outbound())
      yield* apps.update(application.id, {
        notes: "changed",
        web: { redirectUris: [redirectUri("dev11111")] },
      })
      const read = yield* apps.get(application.id)
      assert.strictEqual(read.notes, "changed")
      assert.deepStrictEqual(read.web?.redirectUris, [redirectUri("dev11111")])
    }),
  )

  it.live("delete is idempotent: an absent application is success", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), outbound())
      yield* apps.delete(application.id)
      assert.isUndefined(e.microsoft.application(application.appId))
      // Created by this client moments ago, so a 404 is first read as lag: use a fresh client.
      yield* adminApps(e).delete(application.id)
      yield* adminApps(e).delete("00000000-0000-4000-8000-00000000dead")
    }),
  )

  it.live("a caller without the permission gets InsufficientPrivileges with the permission named", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const { application } = yield* adminApps(e).upsert(uniqueName(), outbound())
      const owned = makeApplications({
        credential: ownedByCredential(e),
        fetch: e.fetch,
        ...FAST_REPLICATION,
      })
      const error = expectTag(
        yield* Effect.flip(owned.update(application.id, { notes: "not mine" })),
        "InsufficientPrivileges",
      )
      assert.strictEqual(error.vendorCode, "Authorization_RequestDenied")
      assert.strictEqual(error.requiredPermission, "Application.ReadWrite.All")
      assert.include(error.remedy, "admin consent")
    }),
  )

  it.live("a 429 with Retry-After is waited out exactly and reported as a retry", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const name = uniqueName()
      e.microsoft.throttleGraph({ count: 1, retryAfterSeconds: 1, method: "PATCH" })
      const { events, effect } = withRetryEvents(apps.upsert(name, outbound()))
      const started = Date.now()
      const { created } = yield* effect
      assert.isTrue(created)
      assert.isAtLeast(Date.now() - started, 900)
      assert.strictEqual(events.length, 1)
      assert.strictEqual(events[0]?.reason.tag, "Throttled")
      assert.strictEqual(events[0]?.delayMs, 1000)
      assert.match(events[0]?.url ?? "", /^https:\/\/graph\.microsoft\.com\/v1\.0\/applications\(uniqueName=/)
    }),
  )
})

describe("makeApplications: replication lag", () => {
  it.live("upsert's read-back of an existing, still replicating application waits it out", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { objectsMs: 60_000 } } })
      const name = uniqueName()
      yield* adminApps(e).upsert(name, outbound())
      // Another client (a later run): its PATCH finds the app, the read-back 404s until replicated.
      const apps = adminApps(e)
      const { events, effect } = withRetryEvents(apps.upsert(name, outbound()))
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 2) yield* Effect.sleep("10 millis")
      e.clock.advance(60_000)
      const { created, application } = yield* Fiber.join(fiber)
      assert.isFalse(created)
      assert.strictEqual(application.uniqueName, name)
      assert.isTrue(events.every((event) => event.reason.tag === "NotFound"))
    }),
  )

  it.live("get of an application this client just created waits for it instead of failing", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { objectsMs: 60_000 } } })
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), outbound())
      const { events, effect } = withRetryEvents(apps.get(application.id))
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 2) yield* Effect.sleep("10 millis")
      e.clock.advance(60_000)
      assert.strictEqual((yield* Fiber.join(fiber)).appId, application.appId)
      // Another client, which did not create it, is told at once (the lag still applies to new objects).
      const { application: second } = yield* apps.upsert(uniqueName(), outbound())
      const other = yield* Effect.flip(adminApps(e).get(second.id))
      assert.strictEqual(other._tag, "ApplicationNotFound")
    }),
  )
})
