/** Client secrets against the emulated Graph and token service, replication lag included. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Redacted } from "effect"
import {
  adminApps,
  countRequests,
  emulator,
  expectTag,
  redirectUri,
  uniqueName,
  withRetryEvents,
} from "./support.ts"

const input = { displayName: "Outbound", web: { redirectUris: [redirectUri()] } }
const inAYear = () => new Date(Date.now() + 365 * 86_400_000)

describe("secrets", () => {
  it.live("addPassword returns the secret once, Redacted; reads show only its metadata", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const added = yield* apps.addPassword(application.id, { displayName: "sn365", endDateTime: inAYear() })
      assert.isTrue(Redacted.isRedacted(added.secretText))
      assert.strictEqual(String(added.secretText), "<redacted>")
      assert.strictEqual(added.hint, Redacted.value(added.secretText).slice(0, 3))
      assert.strictEqual(added.displayName, "sn365")
      assert.isTrue(e.microsoft.isSecretValid(application.appId, Redacted.value(added.secretText)))
      const listed = (yield* apps.get(application.id)).passwordCredentials ?? []
      assert.deepStrictEqual(
        listed.map((p) => [p.keyId, p.secretText]),
        [[added.keyId, null]],
      )
    }),
  )

  it.live("removePassword removes the secret; removing it again (or an unknown key) is success", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const orphan = yield* apps.addPassword(application.id, {
        displayName: "orphan",
        endDateTime: inAYear(),
      })
      yield* apps.removePassword(application.id, orphan.keyId)
      assert.isFalse(e.microsoft.isSecretValid(application.appId, Redacted.value(orphan.secretText)))
      assert.deepStrictEqual((yield* apps.get(application.id)).passwordCredentials, [])
      yield* apps.removePassword(application.id, orphan.keyId)
      yield* apps.removePassword(application.id, "00000000-0000-4000-8000-000000000000")
      // The application itself is gone: nothing to remove either.
      yield* apps.delete(application.id)
      yield* adminApps(e).removePassword(application.id, orphan.keyId)
    }),
  )

  it.live("a tenant lifetime policy is SecretLifetimePolicy, with the policy and the asked end date", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      e.microsoft.setSecretLifetimePolicy({ maxLifetimeMs: 7 * 86_400_000, policyId: "policy-7-days" })
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const end = inAYear()
      const error = expectTag(
        yield* Effect.flip(apps.addPassword(application.id, { displayName: "sn365", endDateTime: end })),
        "SecretLifetimePolicy",
      )
      assert.strictEqual(error.policyId, "policy-7-days")
      assert.strictEqual(error.requestedEndDateTime, end.toISOString())
      assert.strictEqual(error.vendorCode, "CredentialInvalidLifetimeAsPerAppPolicy")
      assert.include(error.remedy, "shorter secret lifetime")
      const short = yield* apps.addPassword(application.id, {
        displayName: "sn365",
        endDateTime: new Date(Date.now() + 86_400_000),
      })
      assert.isString(short.keyId)
    }),
  )

  it.live("addPassword right after the create waits until the application has replicated", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { objectsMs: 60_000 } } })
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const { events, effect } = withRetryEvents(
        apps.addPassword(application.id, { displayName: "sn365", endDateTime: inAYear() }),
      )
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 2) yield* Effect.sleep("10 millis")
      e.clock.advance(60_000)
      const added = yield* Fiber.join(fiber)
      assert.isTrue(e.microsoft.isSecretValid(application.appId, Redacted.value(added.secretText)))
      assert.isTrue(events.every((event) => event.reason.tag === "NotFound"))
      // Each 404 was one addPassword that Graph did not process: exactly one secret exists.
      assert.strictEqual((yield* apps.get(application.id)).passwordCredentials?.length, 1)
    }),
  )

  it.live("addPassword to an object that never appears fails with ReplicationLag after the budget", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e, { replicationBudget: "300 millis" })
      const error = expectTag(
        yield* Effect.flip(
          apps.addPassword("00000000-0000-4000-8000-00000000dead", {
            displayName: "x",
            endDateTime: inAYear(),
          }),
        ),
        "ReplicationLag",
      )
      assert.strictEqual(error.operation, "addPassword")
      assert.strictEqual(error.vendorCode, "Request_ResourceNotFound")
      assert.include(error.remedy, "object id")
    }),
  )
})

describe("confirmSecret", () => {
  const newApplicationWithSecret = (apps: ReturnType<typeof adminApps>) =>
    Effect.gen(function* () {
      const { application } = yield* apps.upsert(uniqueName(), input)
      yield* apps.ensureServicePrincipal(application.appId)
      const secret = yield* apps.addPassword(application.id, { displayName: "sn365", endDateTime: inAYear() })
      return { application, secret }
    })

  it.live("gets a real token with the new secret through msal", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application, secret } = yield* newApplicationWithSecret(apps)
      const before = countRequests(e, "login")
      yield* apps.confirmSecret({
        tenant: e.microsoft.defaults.tenantDomain,
        appId: application.appId,
        secret: secret.secretText,
      })
      assert.strictEqual(countRequests(e, "login"), before + 1)
    }),
  )

  it.live("waits until the token service accepts a new secret (AADSTS7000215 while replicating)", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { secretsMs: 60_000 } } })
      const apps = adminApps(e)
      const { application, secret } = yield* newApplicationWithSecret(apps)
      const { events, effect } = withRetryEvents(
        apps.confirmSecret({
          tenant: e.microsoft.defaults.tenantId,
          appId: application.appId,
          secret: secret.secretText,
        }),
      )
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 2) yield* Effect.sleep("10 millis")
      e.clock.advance(60_000)
      yield* Fiber.join(fiber)
      assert.isTrue(
        events.every((event) => event.reason.code === "AADSTS7000215" && event.reason.status === 401),
      )
      assert.isTrue(events.every((event) => event.reason.tag === "Unauthorized" && event.method === "POST"))
    }),
  )

  it.live("a secret that never becomes usable ends in ReplicationLag", () =>
    Effect.gen(function* () {
      const e = yield* emulator({ microsoft: { replicationLag: { secretsMs: 600_000 } } })
      const apps = adminApps(e)
      const { application, secret } = yield* newApplicationWithSecret(apps)
      const error = expectTag(
        yield* Effect.flip(
          apps.confirmSecret({
            tenant: e.microsoft.defaults.tenantId,
            appId: application.appId,
            secret: secret.secretText,
            budget: "300 millis",
          }),
        ),
        "ReplicationLag",
      )
      assert.strictEqual(error.operation, "confirmSecret")
      assert.strictEqual(error.target, application.appId)
      assert.strictEqual(error.vendorCode, "AADSTS7000215")
    }),
  )

  it.live("an application without a service principal (AADSTS7000229) is waited for too", () =>
    Effect.gen(function* () {
      const e = yield* emulator()
      const apps = adminApps(e)
      const { application } = yield* apps.upsert(uniqueName(), input)
      const secret = yield* apps.addPassword(application.id, { displayName: "sn365", endDateTime: inAYear() })
      const confirm = apps.confirmSecret({
        tenant: e.microsoft.defaults.tenantId,
        appId: application.appId,
        secret: secret.secretText,
      })
      const { events, effect } = withRetryEvents(confirm)
      const fiber = yield* Effect.forkChild(effect)
      while (events.length < 1) yield* Effect.sleep("10 millis")
      assert.strictEqual(events[0]?.reason.code, "AADSTS7000229")
      yield* apps.ensureServicePrincipal(application.appId)
      yield* Fiber.join(fiber)
    }),
  )
})
